import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_MAX_LENGTH } from '@/lib/protocol';

export interface ComposerProps {
  label: string;
  placeholder?: string;
  /** Extra help under the box. */
  hint?: string;
  /** The last error from the server about what this box sent, shown right under it. */
  error: string | null;
  offline: boolean;
  /** false: the text was refused before sending (the error says why); it stays in the box. */
  onSend(text: string): boolean | void;
  onDismissError(): void;
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ label, placeholder, hint, error, offline, onSend, onDismissError }: ComposerProps) {
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const send = () => {
    if (text.trim() === '') return;
    if (onSend(text) !== false) setText('');
    input.current?.focus();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const over = text.length > MESSAGE_MAX_LENGTH;
  const describedBy = [`${id}-hint`, `${id}-error`].join(' ');

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        {label}
      </label>
      <div className="composer-row">
        <textarea
          id={`${id}-text`}
          ref={input}
          rows={1}
          value={text}
          placeholder={placeholder}
          onChange={(event) => {
            setText(event.target.value);
            if (error) onDismissError();
          }}
          onKeyDown={onKeyDown}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
        />
        <button type="submit" className="primary" disabled={text.trim() === ''}>
          Send
        </button>
      </div>
      <p id={`${id}-hint`} className="composer-hint muted">
        {offline ? 'Offline: messages are sent when the connection is back. ' : ''}
        {over
          ? `${text.length} / ${MESSAGE_MAX_LENGTH} characters`
          : `Enter to send, Shift+Enter for a new line.${hint ? ` ${hint}` : ''}`}
      </p>
      <p id={`${id}-error`} className="form-error composer-error" role="alert" data-testid="composer-error">
        {error}
      </p>
    </form>
  );
}
