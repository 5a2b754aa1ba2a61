import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { Reaction } from '@/lib/protocol';
import { COMMON_EMOJI, reactedBy } from '../messageRules';

export interface EmojiPaletteProps {
  id: string;
  reactions: readonly Reaction[];
  me: string | null;
  /** `added`: false when I had reacted with it already (picking it again takes it away). */
  onPick(emoji: string, added: boolean): void;
  /** Escape: close, and give the focus back. */
  onClose(): void;
}

const STEPS: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** A menu of common emoji: the arrows, Home and End move, Enter or Space picks, Escape closes. */
export function EmojiPalette({ id, reactions, me, onPick, onClose }: EmojiPaletteProps) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => buttons.current[0]?.focus(), []);

  const onKeyDown = (event: KeyboardEvent) => {
    const count = COMMON_EMOJI.length;
    const at = buttons.current.findIndex((button) => button === document.activeElement);
    const step = STEPS[event.key];
    let next: number | null = null;
    if (step !== undefined) next = (at + step + count) % count;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = count - 1;
    else if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    }
    if (next === null) return;
    event.preventDefault();
    buttons.current[next]?.focus();
  };

  return (
    <div id={id} role="menu" aria-label="Choose a reaction" className="emoji-palette" onKeyDown={onKeyDown}>
      {COMMON_EMOJI.map((emoji, index) => {
        const chip = reactions.find((reaction) => reaction.emoji === emoji);
        const mine = chip !== undefined && reactedBy(chip, me);
        return (
          <button
            key={emoji}
            ref={(button) => {
              buttons.current[index] = button;
            }}
            type="button"
            role="menuitemcheckbox"
            aria-checked={mine}
            aria-label={`React with ${emoji}`}
            tabIndex={index === 0 ? 0 : -1}
            onClick={() => onPick(emoji, !mine)}
          >
            {emoji}
          </button>
        );
      })}
    </div>
  );
}
