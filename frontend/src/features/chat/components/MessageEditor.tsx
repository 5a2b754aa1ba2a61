import { useId, useState, type KeyboardEvent } from 'react';
import { textLength } from '@/lib/protocol';
import { reasonOf } from '../messageActions';
import { lengthCheck } from './lengthCheck';

export interface MessageEditorProps {
  /** The message's text now. */
  text: string;
  maxLength: number | null;
  /** Save the new text; a rejection keeps the editor open with its reason. */
  onSave(text: string): Promise<void>;
  onCancel(): void;
}

/** Editing a message in place: Enter saves, Shift+Enter starts a new line, Escape cancels. */
export function MessageEditor({ text, maxLength, onSave, onCancel }: MessageEditorProps) {
  const [draft, setDraft] = useState(text);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { over, counter } = lengthCheck(textLength(draft), maxLength);
  const blank = draft.trim() === '';

  const save = () => {
    if (blank || over || saving) return;
    setSaving(true);
    setError(null);
    onSave(draft)
      .catch((reason: unknown) => setError(reasonOf(reason)))
      .finally(() => setSaving(false));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      // The Escape is the editor's: not also the people panel's or the drawer's.
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  };

  return (
    <div className="message-editor">
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Edit message
      </label>
      <textarea
        id={`${id}-text`}
        value={draft}
        // The editor opens on a click of "Edit": the person is there to type.
        autoFocus
        onFocus={(event) => event.currentTarget.setSelectionRange(draft.length, draft.length)}
        onChange={(event) => {
          setDraft(event.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint ${id}-counter ${id}-error`}
        aria-invalid={error !== null || over ? true : undefined}
      />
      <div className="message-editor-row">
        <p id={`${id}-hint`} className="muted message-editor-hint">
          {saving ? 'Saving…' : 'Enter to save, Escape to cancel.'}
        </p>
        <p id={`${id}-counter`} className={`composer-counter${over ? ' over' : ''}`} hidden={counter === null}>
          {counter}
        </p>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={save} disabled={blank || over || saving}>
          Save
        </button>
      </div>
      <p id={`${id}-error`} className="form-error" role="alert" data-testid="edit-error">
        {error}
      </p>
    </div>
  );
}
