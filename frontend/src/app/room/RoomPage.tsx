import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import { Composer, MessageList, TypingIndicator } from '@/features/chat';
import { OnlineUsers } from '@/features/presence';
import { FORBIDDEN } from '@/lib/socket';
import { Link, navigate } from '@/shared/router';
import { roomBox, useChatSession } from '../session/ChatSession';

/** The home page's query parameter that says which room the person was taken out of. */
export const LOST_ACCESS_PARAM = 'lost_access';

export interface RoomPageProps {
  room: string;
  peopleOpen: boolean;
  onTogglePeople(): void;
}

/** One room: its timeline, who is typing, the message box, and who is online (a panel). */
export function RoomPage({ room, peopleOpen, onTogglePeople }: RoomPageProps) {
  const session = useChatSession();
  const { me, entry, connection, forgetRoom, setDraft, notifyTyping, setError, sendToRoom } = session;
  const roomPath = `/rooms/${encodeURIComponent(room)}`;
  const box = roomBox(room);
  const peopleButton = useRef<HTMLButtonElement>(null);

  // The server took the room away (4403: staff rights lost, room made staff-only): leave it, and
  // say why on the home page. Replacing the entry keeps Back from leading into it again.
  const lostAccess = connection.status === 'stopped' && connection.code === FORBIDDEN;
  useEffect(() => {
    if (!lostAccess) return;
    forgetRoom(room);
    navigate(`/?${LOST_ACCESS_PARAM}=${encodeURIComponent(room)}`, { replace: true });
  }, [lostAccess, room, forgetRoom]);

  const changeDraft = useCallback(
    (text: string) => {
      setDraft(box, text);
      if (text.trim() !== '') notifyTyping();
    },
    [box, setDraft, notifyTyping],
  );
  const dismissError = useCallback(() => setError(box, null), [box, setError]);
  const openConversation = useCallback((peer: string) => navigate(`/dm/${encodeURIComponent(peer)}`), []);
  const closePeopleOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    onTogglePeople();
    peopleButton.current?.focus();
  };

  if (entry.status === 'failed') {
    return (
      <div className="page">
        <h1 tabIndex={-1}>#{room}</h1>
        <p className="form-error" role="alert">
          {entry.error}
        </p>
        <p>
          <Link to="/">See all rooms</Link>
          {me === null && entry.code === 'room_not_found' && (
            <>
              {' · '}
              <Link to={`/login?next=${encodeURIComponent(roomPath)}`}>Log in</Link>
            </>
          )}
        </p>
      </div>
    );
  }

  const listed = session.rooms.rooms?.find((candidate) => candidate.name === room);
  const { timeline } = session;
  return (
    <section className="view" aria-labelledby="room-heading">
      <header className="view-header">
        <h1 id="room-heading" tabIndex={-1}>
          #{room}
        </h1>
        {listed?.admin_only && <span className="tag staff">Staff only</span>}
        <button
          type="button"
          ref={peopleButton}
          className={`people-toggle${peopleOpen ? ' pressed' : ''}`}
          aria-expanded={peopleOpen}
          aria-controls="people-panel"
          onClick={onTogglePeople}
        >
          People <span className="count">{session.users.length}</span>
          <span className="visually-hidden"> online</span>
        </button>
      </header>
      <div className="view-body">
        <div className="view-main">
          <MessageList
            key={room}
            items={timeline.items}
            pending={session.pending[box] ?? []}
            me={me}
            label={`Messages in #${room}`}
            hasOlder={timeline.hasOlder}
            loadingOlder={timeline.loadingOlder}
            olderError={timeline.olderError}
            onLoadOlder={session.loadOlder}
            emptyText={timeline.loaded ? 'No messages yet. Say hello!' : 'Loading messages…'}
            onSeen={me === null ? undefined : session.markRoomSeen}
            actions={session.roomActions ?? undefined}
          />
          <TypingIndicator users={session.typing} />
          {me !== null ? (
            <Composer
              label={`Message to #${room}`}
              placeholder={`Message #${room}`}
              hint="/pm name text writes privately."
              value={session.drafts[box] ?? ''}
              onChange={changeDraft}
              maxLength={session.limits.maxLength}
              error={session.errors[box] ?? null}
              offline={connection.status !== 'open'}
              onSend={sendToRoom}
              onDismissError={dismissError}
            />
          ) : (
            <p className="login-notice" data-testid="login-notice">
              You are reading as a guest. <Link to={`/login?next=${encodeURIComponent(roomPath)}`}>Log in</Link> or{' '}
              <Link to={`/signup?next=${encodeURIComponent(roomPath)}`}>sign up</Link> to write.
            </p>
          )}
        </div>
        <aside id="people-panel" className="people-panel" hidden={!peopleOpen} aria-label={`People in #${room}`} onKeyDown={closePeopleOnEscape}>
          <OnlineUsers users={session.users} me={me} onSelect={me !== null ? openConversation : undefined} />
        </aside>
      </div>
    </section>
  );
}
