import type { Room } from '@/lib/protocol';
import { Link } from '@/shared/router';
import { UnreadBadge, linkName } from '@/shared/UnreadBadge';

export interface SidebarRoomsProps {
  rooms: readonly Room[] | null;
  error: string | null;
  current: string | null;
  /** Unread messages by room name. */
  unread: Readonly<Record<string, number>>;
  onOpen?(): void;
}

/** The sidebar's rooms: one link each, the open one marked, staff-only ones flagged. */
export function SidebarRooms({ rooms, error, current, unread, onOpen }: SidebarRoomsProps) {
  if (rooms === null) return <p className="muted sidebar-note">{error ?? 'Loading rooms…'}</p>;
  if (rooms.length === 0) return <p className="muted sidebar-note">No rooms yet.</p>;
  return (
    <ul className="sidebar-list">
      {rooms.map((room) => {
        const here = room.name === current;
        const count = unread[room.name] ?? 0;
        return (
          <li key={room.name}>
            <Link
              to={`/rooms/${encodeURIComponent(room.name)}`}
              className={`sidebar-link${here ? ' current' : ''}${count > 0 ? ' has-unread' : ''}`}
              aria-current={here ? 'page' : undefined}
              aria-label={linkName(room.name, { unread: count, notes: room.admin_only ? ['staff only'] : [] })}
              onClick={onOpen}
              data-testid="room-link"
            >
              <span aria-hidden="true" className="hash">
                #
              </span>
              <span className="sidebar-name">{room.name}</span>
              {room.admin_only && (
                <span className="badge staff" title="Staff only">
                  staff
                </span>
              )}
              <UnreadBadge count={count} />
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
