import type { CSSProperties } from 'react';
import { formatClock } from '@/shared/format';
import type { TimelineItem } from '../timeline';

/** A colour per person, the same everywhere: a hue from their name. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}

export function Avatar({ name, small = false }: { name: string; small?: boolean }) {
  return (
    <span aria-hidden="true" className={`avatar${small ? ' small' : ''}`} style={{ '--hue': hueOf(name) } as CSSProperties}>
      {[...name][0]?.toUpperCase()}
    </span>
  );
}

/**
 * One message. The text is a React text child, so the browser shows it as text: no message ever
 * becomes HTML (there is no dangerouslySetInnerHTML anywhere in this app). The first message of
 * a group shows its author and time; the others say them to screen readers only (and the time
 * on hover).
 */
export function MessageItem({ item, me, first }: { item: TimelineItem; me: string | null; first: boolean }) {
  const time = formatClock(item.timestamp);
  const className = ['message', first ? 'first' : 'continued', item.user === me ? 'mine' : ''].filter(Boolean).join(' ');
  return (
    <li className={className} data-testid="message" data-id={item.id}>
      {first ? (
        <Avatar name={item.user} />
      ) : (
        <time className="message-side-time" dateTime={item.timestamp}>
          <span className="visually-hidden">{item.user}, </span>
          {time}
        </time>
      )}
      <div className="message-body">
        {first && (
          <div className="message-meta">
            <span className="sender">{item.user}</span>
            <time dateTime={item.timestamp}>{time}</time>
          </div>
        )}
        <p className="message-text">{item.text}</p>
      </div>
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
    <li className="message first mine pending" data-testid="pending-message">
      <Avatar name={me ?? ''} />
      <div className="message-body">
        <div className="message-meta">
          <span className="sender">{me}</span>
          <span className="status">{pending.waiting ? 'waiting for connection…' : 'sending…'}</span>
        </div>
        <p className="message-text">{pending.text}</p>
      </div>
    </li>
  );
}
