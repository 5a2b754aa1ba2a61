import type { ConversationsState } from '../conversations';

export interface ConversationListProps {
  conversations: ConversationsState;
  openPeer: string | null;
  onOpen(peer: string): void;
}

export function ConversationList({ conversations, openPeer, onOpen }: ConversationListProps) {
  return (
    <section aria-labelledby="conversations-heading" className="panel conversations">
      <h2 id="conversations-heading">Private messages</h2>
      {conversations.order.length === 0 ? (
        <p className="muted">None yet. Pick someone online to write to them privately.</p>
      ) : (
        <ul>
          {conversations.order.map((peer) => {
            const unread = conversations.byPeer[peer]?.unread ?? 0;
            return (
              <li key={peer}>
                <button
                  type="button"
                  className={`user-button${peer === openPeer ? ' current' : ''}`}
                  aria-current={peer === openPeer ? 'true' : undefined}
                  onClick={() => onOpen(peer)}
                >
                  {peer}
                  {unread > 0 && (
                    <span className="badge unread" aria-label={`${unread} unread`}>
                      {unread}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
