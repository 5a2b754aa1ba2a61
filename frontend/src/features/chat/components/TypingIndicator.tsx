import { describeTyping } from '../hooks/useTyping';

/** "alice is typing…" under the timeline; the line keeps its height so nothing jumps. */
export function TypingIndicator({ users }: { users: readonly string[] }) {
  return (
    <p className="typing-indicator" aria-live="polite" data-testid="typing-indicator">
      {describeTyping(users)}
    </p>
  );
}
