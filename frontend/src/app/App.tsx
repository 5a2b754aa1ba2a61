import { useEffect, useRef, useState } from 'react';
import { AuthProvider, useAuth } from '@/features/auth';
import { Link, useLocation } from '@/shared/router';
import { useMediaQuery } from '@/shared/useMediaQuery';
import { AuthPage } from './AuthPage';
import { DmPage } from './DmPage';
import { HomePage } from './HomePage';
import { RoomPage } from './room/RoomPage';
import { ChatSessionProvider, type Place } from './session/ChatSession';
import { ChatLayout } from './shell/ChatLayout';
import { Header } from './shell/Header';

type Route =
  | { page: 'home' }
  | { page: 'login' }
  | { page: 'signup' }
  | { page: 'room'; room: string }
  | { page: 'conversation'; peer: string }
  | { page: 'not_found' };

function decoded(part: string | undefined): string | null {
  try {
    return decodeURIComponent(part as string);
  } catch {
    return null;
  }
}

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'home' };
  if (path === '/login' || path === '/login/') return { page: 'login' };
  if (path === '/signup' || path === '/signup/') return { page: 'signup' };
  // /chat/{room}/ is the original tutorial's address for a room.
  const room = /^\/(?:rooms|chat)\/([^/]+)\/?$/.exec(path);
  if (room) {
    const name = decoded(room[1]);
    return name === null ? { page: 'not_found' } : { page: 'room', room: name };
  }
  const conversation = /^\/dm\/([^/]+)\/?$/.exec(path);
  if (conversation) {
    const peer = decoded(conversation[1]);
    return peer === null ? { page: 'not_found' } : { page: 'conversation', peer };
  }
  return { page: 'not_found' };
}

function placeOf(route: Route): Place {
  if (route.page === 'room') return route;
  if (route.page === 'conversation') return route;
  return { page: 'other' };
}

/** On a wide screen the people in a room show beside it until the person hides them. */
const PEOPLE_BESIDE_QUERY = '(min-width: 1100px)';

function ChatScreens({ route }: { route: Route }) {
  const wide = useMediaQuery(PEOPLE_BESIDE_QUERY);
  const [peopleChoice, setPeopleChoice] = useState<boolean | null>(null);
  const peopleOpen = peopleChoice ?? wide;
  const currentRoom = route.page === 'room' ? route.room : null;
  const currentPeer = route.page === 'conversation' ? route.peer : null;
  return (
    <ChatLayout currentRoom={currentRoom} currentPeer={currentPeer}>
      {route.page === 'home' && <HomePage />}
      {route.page === 'room' && (
        <RoomPage key={route.room} room={route.room} peopleOpen={peopleOpen} onTogglePeople={() => setPeopleChoice(!peopleOpen)} />
      )}
      {route.page === 'conversation' && <DmPage peer={route.peer} />}
      {route.page === 'not_found' && (
        <div className="page">
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            <Link to="/">See all rooms</Link>
          </p>
        </div>
      )}
    </ChatLayout>
  );
}

function Screen() {
  const { auth } = useAuth();
  const { path } = useLocation();
  const route = matchRoute(path);
  const first = useRef(true);

  // Move focus to the new screen's heading, as a full page load would for a screen reader.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [path]);

  if (auth.status === 'loading') {
    return (
      <>
        <Header menu={null} />
        <main id="main" className="page narrow">
          <p className="muted" role="status">
            Loading…
          </p>
        </main>
      </>
    );
  }
  if (route.page === 'login' || route.page === 'signup') {
    return (
      <>
        <Header menu={null} />
        <main id="main" className="page narrow">
          <AuthPage mode={route.page} />
        </main>
      </>
    );
  }
  // A new session per user: logging out or in starts everything afresh.
  return (
    <ChatSessionProvider key={auth.user?.username ?? ''} place={placeOf(route)}>
      <ChatScreens route={route} />
    </ChatSessionProvider>
  );
}

export function App() {
  return (
    <AuthProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Screen />
    </AuthProvider>
  );
}
