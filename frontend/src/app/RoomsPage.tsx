import { useUsername } from '@/features/auth';
import { EnterRoomForm, RoomList } from '@/features/rooms';
import { navigate } from '@/shared/router';

export function RoomsPage() {
  const me = useUsername();
  return (
    <main id="main" className="page narrow">
      <h1 tabIndex={-1}>{me ? `Hello, ${me}` : 'Chat rooms'}</h1>
      {!me && <p className="muted">Guests can read public rooms. Log in or sign up to write.</p>}
      <EnterRoomForm loggedIn={me !== null} onEntered={(name) => navigate(`/rooms/${encodeURIComponent(name)}`)} />
      <RoomList />
    </main>
  );
}
