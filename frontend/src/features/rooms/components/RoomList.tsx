import type { Room } from '@/lib/protocol';
import { Link } from '@/shared/router';

export interface RoomListProps {
  rooms: readonly Room[] | null;
  error: string | null;
}

/** Every room with who is in it now: the home page's directory. */
export function RoomList({ rooms, error }: RoomListProps) {
  return (
    <section aria-labelledby="room-list-heading" className="card">
      <h2 id="room-list-heading">All rooms</h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rooms === null && !error && <p className="muted">Loading rooms…</p>}
      {rooms !== null && rooms.length === 0 && <p className="muted">No rooms yet. Create the first one above.</p>}
      {rooms !== null && rooms.length > 0 && (
        <ul className="room-list">
          {rooms.map((room) => (
            <li key={room.name}>
              <Link to={`/rooms/${encodeURIComponent(room.name)}`} className="room-link">
                <span className="room-name">#{room.name}</span>
                {room.admin_only && <span className="badge staff">staff only</span>}
                <span className="online-count">
                  <span aria-hidden="true" className={room.online_count > 0 ? 'dot' : 'dot idle'} />
                  {room.online_count} online
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
