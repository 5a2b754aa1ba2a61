import { useEffect, useLayoutEffect, useRef, type ReactNode, type UIEvent } from 'react';
import type { TimelineItem } from '../timeline';
import { MessageItem, PendingItem, type PendingMessage } from './MessageItem';

export interface MessageListProps {
  items: readonly TimelineItem[];
  pending: readonly PendingMessage[];
  me: string | null;
  label: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  onLoadOlder(): void;
  empty?: ReactNode;
}

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 40;

/**
 * A scrolling log of messages. It follows new messages while the reader is at the bottom, keeps
 * the reader's place when older messages are added above, and pages back when scrolled to the top
 * (or with the "Load older messages" button, for keyboards and screen readers).
 */
export function MessageList(props: MessageListProps) {
  const { items, pending, me, label, hasOlder, loadingOlder, olderError, onLoadOlder, empty } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ firstKey: string | undefined; height: number }>({ firstKey: undefined, height: 0 });

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const firstKey = items[0]?.key;
    const before = previous.current;
    if (before.firstKey !== undefined && firstKey !== before.firstKey && !atBottom.current) {
      // Older messages were added above: keep what the reader was looking at in place.
      element.scrollTop += element.scrollHeight - before.height;
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
    previous.current = { firstKey, height: element.scrollHeight };
  }, [items, pending]);

  useEffect(() => {
    atBottom.current = true;
  }, [label]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    previous.current.height = element.scrollHeight;
    if (element.scrollTop < NEAR_TOP_PX && hasOlder && !loadingOlder && !olderError) onLoadOlder();
  };

  return (
    <div className="message-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={label}>
      <div className="older">
        {hasOlder && (
          <button type="button" className="link-button" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        )}
        {olderError && (
          <p className="form-error" role="alert">
            {olderError}
          </p>
        )}
      </div>
      {items.length === 0 && pending.length === 0 && empty}
      <ol className="messages" role="log" aria-live="polite" aria-relevant="additions" aria-label={label}>
        {items.map((item) => (
          <MessageItem key={item.key} item={item} me={me} />
        ))}
        {pending.map((entry) => (
          <PendingItem key={entry.clientId} pending={entry} me={me} />
        ))}
      </ol>
    </div>
  );
}
