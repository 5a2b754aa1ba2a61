import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject, type UIEvent } from 'react';
import { useNow } from '@/shared/hooks';
import { timelineRows } from '../grouping';
import type { MessageActions } from '../messageActions';
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
  /** Shown while there is no message. */
  emptyText?: string;
  /** The newest message on screen, while the page is visible: the reader has seen up to `id`. */
  onSeen?(id: number): void;
  /** What the reader may do to the messages (edit, delete, react); absent: nothing. */
  actions?: MessageActions;
}

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 40;

/** How often the list looks again at whose edit window has closed. */
const EDIT_WINDOW_TICK_MS = 30_000;

/** On screen enough to count as read: half of it, or half the view for a tall one. */
function onScreen(entry: IntersectionObserverEntry): boolean {
  if (!entry.isIntersecting) return false;
  const view = entry.rootBounds?.height ?? Infinity;
  return entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= view / 2;
}

/**
 * A scrolling log of messages, grouped by author and day. It follows new messages while the reader
 * is at the bottom; scrolled up, it keeps the reader's place and offers "Jump to latest" with the
 * count of messages that arrived below. It pages back when scrolled to the top (or with the "Load
 * older messages" button, for keyboards and screen readers).
 */
export const MessageList = memo(function MessageList(props: MessageListProps) {
  const { items, pending, me, label, hasOlder, loadingOlder, olderError, onLoadOlder, emptyText, onSeen, actions } = props;
  const now = useNow(EDIT_WINDOW_TICK_MS);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef({ firstKey: undefined as string | undefined, height: 0, pending: 0 });
  // Scrolled up, and the newest message the reader had reached at the bottom.
  const [away, setAway] = useState(false);
  const [reachedKey, setReachedKey] = useState<string | null>(null);
  const rows = useMemo(() => timelineRows(items), [items]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const firstKey = items[0]?.key;
    const before = previous.current;
    const sent = pending.length > before.pending;
    if (before.firstKey !== undefined && firstKey !== before.firstKey && !atBottom.current) {
      // Older messages were added above: keep what the reader was looking at in place.
      element.scrollTop += element.scrollHeight - before.height;
    } else if (atBottom.current || sent) {
      // Following the conversation, or the reader just sent something: show the newest.
      element.scrollTop = element.scrollHeight;
      atBottom.current = true;
    }
    previous.current = { firstKey, height: element.scrollHeight, pending: pending.length };
  }, [items, pending]);

  useSeen(scroller, items, onSeen);

  const lastKey = items.at(-1)?.key ?? null;
  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    previous.current.height = element.scrollHeight;
    setAway(!atBottom.current);
    if (atBottom.current) setReachedKey(lastKey);
    if (element.scrollTop < NEAR_TOP_PX && hasOlder && !loadingOlder && !olderError) onLoadOlder();
  };

  const jumpToLatest = () => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setAway(false);
    setReachedKey(lastKey);
    element.focus();
  };

  const reachedAt = reachedKey === null ? -1 : items.findIndex((item) => item.key === reachedKey);
  const newBelow = away && reachedAt >= 0 ? items.length - 1 - reachedAt : 0;

  return (
    <div className="message-area">
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
        {items.length === 0 && pending.length === 0 && emptyText && <p className="muted empty">{emptyText}</p>}
        <ol className="messages" role="log" aria-live="polite" aria-relevant="additions" aria-label={label}>
          {rows.map((row) =>
            row.type === 'day' ? (
              <li key={row.key} className="day-divider" data-testid="day-divider">
                <span>{row.label}</span>
              </li>
            ) : (
              <MessageItem key={row.key} item={row.item} me={me} first={row.first} actions={actions} now={now} />
            ),
          )}
          {pending.map((entry) => (
            <PendingItem key={entry.clientId} pending={entry} me={me} />
          ))}
        </ol>
      </div>
      {away && (
        <button type="button" className="jump-latest" onClick={jumpToLatest} data-testid="jump-latest">
          Jump to latest
          {newBelow > 0 && <span className="badge unread">{newBelow} new</span>}
        </button>
      )}
    </div>
  );
});

/** Tells `onSeen` the newest message on screen whenever that changes, while the page is visible. */
function useSeen(
  scroller: RefObject<HTMLDivElement | null>,
  items: readonly TimelineItem[],
  onSeen: ((id: number) => void) | undefined,
) {
  const report = useRef(onSeen);
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    report.current = onSeen;
  }, [onSeen]);

  const enabled = onSeen !== undefined;
  useEffect(() => {
    const root = scroller.current;
    if (!enabled || !root || typeof IntersectionObserver === 'undefined') return;
    const visible = new Set<number>();
    const tell = () => {
      if (document.visibilityState === 'visible' && visible.size > 0) report.current?.(Math.max(...visible));
    };
    const watching = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = Number((entry.target as HTMLElement).dataset.id);
          if (onScreen(entry)) visible.add(id);
          else visible.delete(id);
        }
        tell();
      },
      { root, threshold: [0, 0.5, 1] },
    );
    observer.current = watching;
    document.addEventListener('visibilitychange', tell);
    return () => {
      watching.disconnect();
      observer.current = null;
      document.removeEventListener('visibilitychange', tell);
    };
  }, [enabled, scroller]);

  // Watch every message element; observing one already watched does nothing.
  useEffect(() => {
    const root = scroller.current;
    const watching = observer.current;
    if (!root || !watching) return;
    root.querySelectorAll<HTMLElement>('[data-id]').forEach((element) => watching.observe(element));
  }, [items, enabled, scroller]);
}
