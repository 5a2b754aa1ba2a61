import { formatTime } from '@/shared/format';
import type { TimelineItem } from '../timeline';

/**
 * One message. The text is a React text child, so the browser shows it as text: no message ever
 * becomes HTML (there is no dangerouslySetInnerHTML anywhere in this app).
 */
export function MessageItem({ item, me }: { item: TimelineItem; me: string | null }) {
  const mine = item.user === me;
  const label =
    item.kind === 'private' ? (item.direction === 'in' ? `Private from ${item.peer}` : `Private to ${item.peer}`) : null;
  const className = ['message', mine ? 'mine' : '', item.kind === 'private' ? 'private' : ''].filter(Boolean).join(' ');
  return (
    <li className={className} data-testid="message" data-kind={item.kind}>
      <div className="message-meta">
        {label !== null && <span className="private-label">{label}</span>}
        <span className="sender">{item.user}</span>
        <time dateTime={item.timestamp}>{formatTime(item.timestamp)}</time>
      </div>
      <p className="message-text">{item.text}</p>
    </li>
  );
}

export interface PendingMessage {
  clientId: string;
  text: string;
  /** For a private message: who it goes to. */
  to: string | null;
  waiting: boolean;
}

/** A message in the outbox: typed, not yet confirmed by the server. */
export function PendingItem({ pending, me }: { pending: PendingMessage; me: string | null }) {
  return (
    <li className={`message mine pending${pending.to ? ' private' : ''}`} data-testid="pending-message">
      <div className="message-meta">
        {pending.to && <span className="private-label">Private to {pending.to}</span>}
        <span className="sender">{me}</span>
        <span className="status">{pending.waiting ? 'waiting for connection…' : 'sending…'}</span>
      </div>
      <p className="message-text">{pending.text}</p>
    </li>
  );
}
