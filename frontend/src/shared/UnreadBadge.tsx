/** The unread count on a sidebar link, for the eye: the link's name says it to screen readers. */
export function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <span className="badge unread" aria-hidden="true" data-testid="unread-badge">
      {count > 99 ? '99+' : count}
    </span>
  );
}

/** "lobby, staff only, 3 unread": a sidebar link's name. */
export function linkName(name: string, { unread = 0, notes = [] }: { unread?: number; notes?: string[] } = {}): string {
  return [name, ...notes, ...(unread > 0 ? [`${unread} unread`] : [])].join(', ');
}
