import { Link } from '@/shared/router';
import { useRooms } from '../hooks/useRooms';

export function RoomList() {
  const { rooms, error } = useRooms();
  return (
    <section aria-labelledby="room-list-heading" className="card">
      <h2 id="room-list-heading">Rooms</h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rooms === null && !error && <p className="muted">Loading rooms…</p>}
      {rooms !== null && rooms.length === 0 && <p className="muted">No rooms yet. Enter a name above to start one.</p>}
      {rooms !== null && rooms.length > 0 && (
        <ul className="room-list">
          {rooms.map((room) => (
            <li key={room.name}>
              <Link to={`/rooms/${encodeURIComponent(room.name)}`} className="room-link">
                <span className="room-name">#{room.name}</span>
                {room.admin_only && <span className="badge">staff</span>}
                <span className="online-count" aria-label={`${room.online_count} online`}>
                  <span aria-hidden="true" className={room.online_count > 0 ? 'dot' : 'dot idle'} /> {room.online_count} online
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
