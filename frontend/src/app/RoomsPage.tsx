import { useUsername } from '@/features/auth';
import { EnterRoomForm, RoomList } from '@/features/rooms';
import { ROOM_NAME_PATTERN } from '@/lib/protocol';
import { navigate, useLocation } from '@/shared/router';
import { LOST_ACCESS_PARAM } from './room/RoomPage';

export function RoomsPage() {
  const me = useUsername();
  const lostAccess = useLocation().search.get(LOST_ACCESS_PARAM);
  return (
    <main id="main" className="page narrow">
      <h1 tabIndex={-1}>{me ? `Hello, ${me}` : 'Chat rooms'}</h1>
      {lostAccess !== null && ROOM_NAME_PATTERN.test(lostAccess) && (
        <p className="form-error" role="alert" data-testid="lost-access">
          You no longer have access to #{lostAccess}.
        </p>
      )}
      {!me && <p className="muted">Guests can read public rooms. Log in or sign up to write.</p>}
      <EnterRoomForm loggedIn={me !== null} onEntered={(name) => navigate(`/rooms/${encodeURIComponent(name)}`)} />
      <RoomList />
    </main>
  );
}
