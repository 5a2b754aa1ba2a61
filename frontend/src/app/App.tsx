import { useEffect, useRef } from 'react';
import { AuthProvider, useAuth } from '@/features/auth';
import { Link, navigate, useLocation } from '@/shared/router';
import { AuthPage } from './AuthPage';
import { RoomPage } from './room/RoomPage';
import { RoomsPage } from './RoomsPage';

type Route =
  | { page: 'rooms' }
  | { page: 'login' }
  | { page: 'signup' }
  | { page: 'room'; room: string }
  | { page: 'not_found' };

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'rooms' };
  if (path === '/login' || path === '/login/') return { page: 'login' };
  if (path === '/signup' || path === '/signup/') return { page: 'signup' };
  // /chat/{room}/ is the original tutorial's address for a room.
  const room = /^\/(?:rooms|chat)\/([^/]+)\/?$/.exec(path);
  if (room) {
    try {
      return { page: 'room', room: decodeURIComponent(room[1] as string) };
    } catch {
      return { page: 'not_found' };
    }
  }
  return { page: 'not_found' };
}

function Header() {
  const { auth, logout } = useAuth();
  const { path, search } = useLocation();
  const here = `${path}${search.size ? `?${search}` : ''}`;
  const next = path === '/login' || path === '/signup' ? '' : `?next=${encodeURIComponent(here)}`;
  return (
    <header className="app-header">
      <Link to="/" className="brand">
        Chat
      </Link>
      <nav aria-label="Account">
        {auth.status === 'authenticated' && (
          <>
            <span className="whoami" data-testid="whoami">
              {auth.user.username}
            </span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void logout().then(() => navigate('/'));
              }}
            >
              Log out
            </button>
          </>
        )}
        {auth.status === 'anonymous' && (
          <>
            <Link to={`/login${next}`}>Log in</Link>
            <Link to={`/signup${next}`} className="button-link">
              Sign up
            </Link>
          </>
        )}
      </nav>
    </header>
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
    document.querySelector<HTMLElement>('main h1, main h2')?.focus();
  }, [path]);

  if (auth.status === 'loading') {
    return (
      <main id="main" className="page narrow">
        <p className="muted" role="status">
          Loading…
        </p>
      </main>
    );
  }
  switch (route.page) {
    case 'rooms':
      return <RoomsPage />;
    case 'login':
    case 'signup':
      return <AuthPage mode={route.page} />;
    case 'room':
      // A new key per room and per user starts the room afresh when either changes.
      return <RoomPage key={`${route.room}|${auth.user?.username ?? ''}`} room={route.room} />;
    case 'not_found':
      return (
        <main id="main" className="page narrow">
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            <Link to="/">Go to the rooms</Link>
          </p>
        </main>
      );
  }
}

export function App() {
  return (
    <AuthProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <Screen />
    </AuthProvider>
  );
}
