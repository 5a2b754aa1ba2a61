import { useEffect, useId, useRef, useState, type Ref } from 'react';
import { ConversationList } from '@/features/chat';
import { EnterRoomForm, SidebarRooms } from '@/features/rooms';
import { Link, navigate } from '@/shared/router';
import { useChatSession } from '../session/ChatSession';

export interface SidebarProps {
  /** A phone: the sidebar is a drawer, open or not. */
  drawer: boolean;
  open: boolean;
  /** Close the drawer; `returnFocus`: put the focus back on the menu button. */
  onClose(returnFocus: boolean): void;
  currentRoom: string | null;
  currentPeer: string | null;
  ref?: Ref<HTMLElement>;
}

/** Rooms, private conversations and joining a room: always there on a desktop, a drawer on a phone. */
export function Sidebar({ drawer, open, onClose, currentRoom, currentPeer, ref }: SidebarProps) {
  const session = useChatSession();
  const [joining, setJoining] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const formId = useId();
  const picked = () => onClose(false);

  useEffect(() => {
    if (joining) input.current?.focus();
  }, [joining]);

  const className = ['sidebar', drawer ? 'drawer' : '', open ? 'open' : ''].filter(Boolean).join(' ');
  return (
    <nav id="sidebar" ref={ref} className={className} aria-label="Rooms and private messages">
      {drawer && (
        <div className="sidebar-top">
          <span className="brand">Chat</span>
          <button type="button" className="icon-button" onClick={() => onClose(true)} aria-label="Close the menu">
            ×
          </button>
        </div>
      )}
      <section aria-labelledby="rooms-heading" className="sidebar-section">
        <div className="sidebar-heading-row">
          <h2 id="rooms-heading" className="sidebar-heading">
            Rooms
          </h2>
          <button
            type="button"
            className="icon-button"
            aria-expanded={joining}
            aria-controls={formId}
            onClick={() => setJoining((shown) => !shown)}
            title={session.me ? 'Join or create a room' : 'Open a room'}
          >
            <span aria-hidden="true">{joining ? '−' : '+'}</span>
            <span className="visually-hidden">{session.me ? 'Join or create a room' : 'Open a room'}</span>
          </button>
        </div>
        <div id={formId} hidden={!joining}>
          {joining && (
            <EnterRoomForm
              className="sidebar-form"
              loggedIn={session.me !== null}
              isStaff={session.isStaff}
              inputRef={input}
              onEntered={(name) => {
                setJoining(false);
                session.rooms.reload();
                picked();
                navigate(`/rooms/${encodeURIComponent(name)}`);
              }}
            />
          )}
        </div>
        <SidebarRooms
          rooms={session.rooms.rooms}
          error={session.rooms.error}
          current={currentRoom}
          unread={session.roomUnread}
          onOpen={picked}
        />
        <Link to="/" className="sidebar-more" onClick={picked}>
          All rooms
        </Link>
      </section>
      {session.me !== null ? (
        <ConversationList conversations={session.conversations} openPeer={currentPeer} onOpen={picked} />
      ) : (
        <p className="muted sidebar-note">Log in to write and to talk privately.</p>
      )}
    </nav>
  );
}
