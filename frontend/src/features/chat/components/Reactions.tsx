import type { Reaction } from '@/lib/protocol';
import { reactedBy } from '../messageRules';

export interface ReactionsProps {
  reactions: readonly Reaction[];
  me: string | null;
  /** Absent: shown, not used (a guest). */
  onToggle?(emoji: string, added: boolean): void;
}

/** "👍 3": one chip per emoji, pressed when I am among those who reacted; a click toggles mine. */
export function Reactions({ reactions, me, onToggle }: ReactionsProps) {
  if (reactions.length === 0) return null;
  return (
    <ul className="reactions" aria-label="Reactions">
      {reactions.map((reaction) => {
        const mine = reactedBy(reaction, me);
        const who = `${reaction.count}: ${reaction.users.join(', ')}`;
        return (
          <li key={reaction.emoji}>
            {onToggle ? (
              <button
                type="button"
                className={`reaction-chip${mine ? ' mine' : ''}`}
                aria-pressed={mine}
                aria-label={`React with ${reaction.emoji} (${who})`}
                title={reaction.users.join(', ')}
                onClick={() => onToggle(reaction.emoji, !mine)}
              >
                {reaction.emoji} {reaction.count}
              </button>
            ) : (
              <span className="reaction-chip" role="img" aria-label={`${reaction.emoji} (${who})`} title={reaction.users.join(', ')}>
                {reaction.emoji} {reaction.count}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
