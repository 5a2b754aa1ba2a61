import { EnterRoomForm, RoomList } from '@/features/rooms';
import { ROOM_NAME_PATTERN } from '@/lib/protocol';
import { navigate, useLocation } from '@/shared/router';
import { LOST_ACCESS_PARAM } from './room/RoomPage';
import { useChatSession } from './session/ChatSession';

/** Every room, and a room to join or create: where a person starts, and what "Chat" leads to. */
export function HomePage() {
  const { me, isStaff, rooms } = useChatSession();
  const lostAccess = useLocation().search.get(LOST_ACCESS_PARAM);
  return (
    <div className="page">
      <h1 tabIndex={-1}>{me ? `Hello, ${me}` : 'Chat rooms'}</h1>
      {lostAccess !== null && ROOM_NAME_PATTERN.test(lostAccess) && (
        <p className="form-error" role="alert" data-testid="lost-access">
          You no longer have access to #{lostAccess}.
        </p>
      )}
      {!me && <p className="muted">Guests can read public rooms. Log in or sign up to write.</p>}
      <EnterRoomForm
        className="card"
        loggedIn={me !== null}
        isStaff={isStaff}
        onEntered={(name) => {
          rooms.reload();
          navigate(`/rooms/${encodeURIComponent(name)}`);
        }}
      />
      <RoomList rooms={rooms.rooms} error={rooms.error} />
    </div>
  );
}
