import { useCallback, useEffect, useRef } from 'react';
import { useUsername } from '@/features/auth';
import { Composer, ConnectionBanner, ConversationList, ConversationView, MessageList } from '@/features/chat';
import { OnlineUsers } from '@/features/presence';
import { useRoomEntry } from '@/features/rooms';
import { FORBIDDEN } from '@/lib/socket';
import { Link, navigate, useLocation } from '@/shared/router';
import { useRoomConnection } from './useRoomConnection';

/** The room list's query parameter that says which room the person was taken out of. */
export const LOST_ACCESS_PARAM = 'lost_access';

/** One room: its timeline, who is online, and private conversations, all on one live socket. */
export function RoomPage({ room }: { room: string }) {
  const me = useUsername();
  const { search } = useLocation();
  const openPeer = me !== null ? search.get('dm') : null;
  const entry = useRoomEntry(room, me !== null);
  const live = useRoomConnection(room, me, entry.status === 'ready', openPeer);
  const roomPath = `/rooms/${encodeURIComponent(room)}`;

  const openConversation = useCallback(
    (peer: string) => navigate(`${roomPath}?dm=${encodeURIComponent(peer)}`),
    [roomPath],
  );
  const closeConversation = useCallback(() => navigate(roomPath), [roomPath]);

  // The server took the room away (4403: staff rights lost, room made staff-only): leave it, and
  // say why on the room list. Replacing the entry keeps Back from leading into it again.
  const lostAccess = live.connection.status === 'stopped' && live.connection.code === FORBIDDEN;
  useEffect(() => {
    if (lostAccess) navigate(`/?${LOST_ACCESS_PARAM}=${encodeURIComponent(room)}`, { replace: true });
  }, [lostAccess, room]);

  // Coming back from a conversation, put the keyboard focus on the room again.
  const hadConversation = useRef(false);
  useEffect(() => {
    if (hadConversation.current && openPeer === null) document.getElementById('room-heading')?.focus();
    hadConversation.current = openPeer !== null;
  }, [openPeer]);
  const { loadConversationPage } = live;
  const loadConversation = useCallback(
    (older: boolean) => {
      if (openPeer !== null) loadConversationPage(openPeer, older);
    },
    [openPeer, loadConversationPage],
  );

  if (entry.status === 'failed') {
    return (
      <main id="main" className="page narrow">
        <h1 tabIndex={-1}>#{room}</h1>
        <p className="form-error" role="alert">
          {entry.error}
        </p>
        <p>
          <Link to="/">Back to the rooms</Link>
          {me === null && entry.code === 'room_not_found' && (
            <>
              {' · '}
              <Link to={`/login?next=${encodeURIComponent(roomPath)}`}>Log in</Link>
            </>
          )}
        </p>
      </main>
    );
  }

  const offline = live.connection.status !== 'open';
  return (
    <main id="main" className="room-page">
      <ConnectionBanner state={live.connection} onRetry={live.retryNow} />
      <div className={`room-layout${openPeer ? ' with-conversation' : ''}`}>
        <div className="room-main">
          {openPeer !== null && me !== null ? (
            <ConversationView
              peer={openPeer}
              me={me}
              conversation={live.conversations.byPeer[openPeer]}
              pending={live.pending.byPeer[openPeer] ?? []}
              error={live.errors.private[openPeer] || null}
              offline={offline}
              onLoad={loadConversation}
              onSend={(text) => live.sendPrivate(openPeer, text)}
              onDismissError={() => live.dismissPrivateError(openPeer)}
              onClose={closeConversation}
            />
          ) : (
            <section className="timeline" aria-labelledby="room-heading">
              <header className="section-header">
                <h1 id="room-heading" tabIndex={-1}>
                  #{room}
                </h1>
              </header>
              <MessageList
                items={live.timeline.items}
                pending={live.pending.room}
                me={me}
                label={`Messages in #${room}`}
                hasOlder={live.timeline.hasOlder}
                loadingOlder={live.timeline.loadingOlder}
                olderError={live.timeline.olderError}
                onLoadOlder={live.loadOlder}
                empty={
                  <p className="muted empty">
                    {live.timeline.loaded ? 'No messages yet. Say hello!' : 'Loading messages…'}
                  </p>
                }
              />
              {me !== null ? (
                <Composer
                  label={`Message to #${room}`}
                  placeholder={`Message #${room}`}
                  hint="/pm name text writes privately."
                  error={live.errors.room}
                  offline={offline}
                  onSend={live.sendToRoom}
                  onDismissError={live.dismissRoomError}
                />
              ) : (
                <p className="login-notice" data-testid="login-notice">
                  You are reading as a guest. <Link to={`/login?next=${encodeURIComponent(roomPath)}`}>Log in</Link> or{' '}
                  <Link to={`/signup?next=${encodeURIComponent(roomPath)}`}>sign up</Link> to write.
                </p>
              )}
            </section>
          )}
        </div>
        <aside className="room-side" aria-label="People">
          <OnlineUsers users={live.users} me={me} onSelect={me !== null ? openConversation : undefined} />
          {me !== null && (
            <ConversationList conversations={live.conversations} openPeer={openPeer} onOpen={openConversation} />
          )}
        </aside>
      </div>
    </main>
  );
}
