import { Link } from '@/shared/router';
import { UnreadBadge, linkName } from '@/shared/UnreadBadge';
import type { ConversationsState } from '../conversations';
import { Avatar } from './MessageItem';

export interface ConversationListProps {
  conversations: ConversationsState;
  openPeer: string | null;
  /** Called when a conversation is picked (the drawer closes). */
  onOpen?(): void;
}

/** The sidebar's private conversations, most recent first, with unread counts. */
export function ConversationList({ conversations, openPeer, onOpen }: ConversationListProps) {
  return (
    <section aria-labelledby="conversations-heading" className="sidebar-section">
      <h2 id="conversations-heading" className="sidebar-heading">
        Private messages
      </h2>
      {conversations.order.length === 0 ? (
        <p className="muted sidebar-note">None yet. Pick someone under People to write to them privately.</p>
      ) : (
        <ul className="sidebar-list">
          {conversations.order.map((peer) => {
            const unread = conversations.byPeer[peer]?.unread ?? 0;
            const current = peer === openPeer;
            return (
              <li key={peer}>
                <Link
                  to={`/dm/${encodeURIComponent(peer)}`}
                  className={`sidebar-link${current ? ' current' : ''}${unread > 0 ? ' has-unread' : ''}`}
                  aria-current={current ? 'page' : undefined}
                  aria-label={linkName(peer, { unread })}
                  onClick={onOpen}
                  data-testid="conversation-link"
                >
                  <Avatar name={peer} small />
                  <span className="sidebar-name">{peer}</span>
                  <UnreadBadge count={unread} />
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
