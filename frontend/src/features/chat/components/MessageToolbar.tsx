import { useId, useRef, useState, type FocusEvent } from 'react';
import type { Reaction } from '@/lib/protocol';
import { EmojiPalette } from './EmojiPalette';

export interface MessageToolbarProps {
  reactions: readonly Reaction[];
  me: string | null;
  /** Each action shows only when given. */
  onReact?(emoji: string, added: boolean): void;
  onEdit?(): void;
  onDelete?(): void;
}

/**
 * What can be done to one message: add a reaction (a palette of emoji), edit, delete. Shown on
 * hover and while the focus is in the message; reachable by Tab like any button. The icons are
 * drawn by the stylesheet, so that the message's text is its text and nothing more.
 */
export function MessageToolbar({ reactions, me, onReact, onEdit, onDelete }: MessageToolbarProps) {
  const [picking, setPicking] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const paletteId = useId();
  if (!onReact && !onEdit && !onDelete) return null;

  const closePalette = () => {
    setPicking(false);
    addButton.current?.focus();
  };
  // A click or Tab out of the palette (and its button) closes it.
  const onBlur = (event: FocusEvent) => {
    if (!event.currentTarget.contains(event.relatedTarget)) setPicking(false);
  };

  return (
    <div role="group" aria-label="Message actions" className="message-toolbar" onBlur={onBlur}>
      {onReact && (
        <button
          type="button"
          ref={addButton}
          className="icon-react"
          aria-label="Add reaction"
          title="Add reaction"
          aria-haspopup="menu"
          aria-expanded={picking}
          aria-controls={picking ? paletteId : undefined}
          onClick={() => setPicking((open) => !open)}
        />
      )}
      {onEdit && (
        <button type="button" className="icon-edit" aria-label="Edit message" title="Edit" onClick={onEdit} />
      )}
      {onDelete && (
        <button type="button" className="icon-delete" aria-label="Delete message" title="Delete" onClick={onDelete} />
      )}
      {picking && onReact && (
        <EmojiPalette
          id={paletteId}
          reactions={reactions}
          me={me}
          onPick={(emoji, added) => {
            onReact(emoji, added);
            closePalette();
          }}
          onClose={closePalette}
        />
      )}
    </div>
  );
}
