import { timelineRows } from './grouping';
import type { TimelineItem } from './timeline';

let id = 0;
/** A message at a local time ("YYYY-MM-DDTHH:MM"), so the days are the test machine's days. */
function item(user: string, local: string): TimelineItem {
  id += 1;
  const timestamp = new Date(local).toISOString();
  return { key: `room:${id}`, id, user, message: `text ${id}`, timestamp, edited_at: null, deleted: false, reactions: [] };
}

const now = new Date('2026-11-24T15:00');

function layout(items: TimelineItem[]): string[] {
  return timelineRows(items, now).map((row) =>
    row.type === 'day' ? `-- ${row.label}` : `${row.first ? row.item.user : '   '} ${row.item.message}`,
  );
}

describe('timelineRows', () => {
  it('puts consecutive messages of one author within five minutes under one header', () => {
    const rows = layout([
      item('bob', '2026-11-24T09:00'),
      item('bob', '2026-11-24T09:04'),
      item('bob', '2026-11-24T09:10'),
      item('alice', '2026-11-24T09:11'),
      item('bob', '2026-11-24T09:12'),
    ]);
    expect(rows).toEqual(['-- Today', 'bob text 1', '    text 2', 'bob text 3', 'alice text 4', 'bob text 5']);
  });

  it('separates days as "Today", "Yesterday" or a date, and starts a new group on a new day', () => {
    const rows = layout([
      item('bob', '2026-11-20T23:58'),
      item('bob', '2026-11-23T23:59'),
      item('bob', '2026-11-24T00:01'),
    ]);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/^-- .*20/);
    expect(rows[0]).not.toMatch(/2026/);
    expect(rows.slice(2)).toEqual(['-- Yesterday', `bob text ${id - 1}`, '-- Today', `bob text ${id}`]);
  });

  it('gives the year of a date in another year', () => {
    const [separator] = layout([item('bob', '2025-03-02T10:00')]);
    expect(separator).toMatch(/2025/);
  });
});
