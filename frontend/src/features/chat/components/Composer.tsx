import { useId, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { messageLength } from '@/lib/protocol';
import { lengthCheck } from './lengthCheck';

export interface ComposerProps {
  label: string;
  placeholder?: string;
  /** Extra help under the box. */
  hint?: string;
  /** The box's text: kept by the owner, so a draft survives a room switch and a refused send comes back. */
  value: string;
  onChange(text: string): void;
  /** The longest message the server takes, or null when unknown (the server still checks). */
  maxLength: number | null;
  /** The last error from the server about what this box sent, shown right under it. */
  error: string | null;
  offline: boolean;
  /** Called with the text to send; the owner empties the box when it takes it. */
  onSend(text: string): void;
  onDismissError(): void;
}

/** The message box: Enter sends, Shift+Enter starts a new line; nothing past the server's limit. */
export function Composer(props: ComposerProps) {
  const { label, placeholder, hint, value, onChange, maxLength, error, offline, onSend, onDismissError } = props;
  const input = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const { over, counter } = lengthCheck(maxLength === null ? 0 : messageLength(value), maxLength);
  const blank = value.trim() === '';

  const send = () => {
    if (blank || over) return;
    onSend(value);
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

  const describedBy = [`${id}-hint`, `${id}-counter`, `${id}-error`].join(' ');

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
          value={value}
          placeholder={placeholder}
          onChange={(event) => {
            onChange(event.target.value);
            if (error) onDismissError();
          }}
          onKeyDown={onKeyDown}
          aria-describedby={describedBy}
          aria-invalid={error || over ? true : undefined}
        />
        <button type="submit" className="primary" disabled={blank || over}>
          Send
        </button>
      </div>
      <div className="composer-notes">
        {offline && <p className="composer-offline muted">Offline: messages are sent when the connection is back.</p>}
        <p id={`${id}-hint`} className="composer-hint muted">
          Enter to send, Shift+Enter for a new line.{hint ? ` ${hint}` : ''}
        </p>
        <p id={`${id}-counter`} className={`composer-counter${over ? ' over' : ''}`} data-testid="composer-counter" hidden={counter === null}>
          {counter}
        </p>
      </div>
      <p id={`${id}-error`} className="form-error composer-error" role="alert" data-testid="composer-error">
        {error}
      </p>
    </form>
  );
}
