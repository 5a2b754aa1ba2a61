/**
 * How a list of messages is laid out: a separator where the day changes ("Today", "Yesterday", a
 * date), and consecutive messages of one author within a few minutes under one header.
 */
import { formatDay, sameDay } from '@/shared/format';
import type { TimelineItem } from './timeline';

/** Messages of one author closer than this share a header. */
export const GROUP_GAP_MS = 5 * 60_000;

export type TimelineRow =
  | { type: 'day'; key: string; label: string }
  | {
      type: 'message';
      key: string;
      item: TimelineItem;
      /** The first of its group: shows the author and the time. */
      first: boolean;
    };

export function timelineRows(items: readonly TimelineItem[], now: Date = new Date()): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previous: { item: TimelineItem; at: Date } | null = null;
  for (const item of items) {
    const at = new Date(item.timestamp);
    const newDay = previous === null || !sameDay(previous.at, at);
    if (newDay) rows.push({ type: 'day', key: `day:${item.key}`, label: formatDay(at, now) });
    const first =
      newDay ||
      previous === null ||
      previous.item.user !== item.user ||
      at.getTime() - previous.at.getTime() > GROUP_GAP_MS;
    rows.push({ type: 'message', key: item.key, item, first });
    previous = { item, at };
  }
  return rows;
}
