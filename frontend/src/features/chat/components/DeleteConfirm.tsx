import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { reasonOf } from '../messageActions';

export interface DeleteConfirmProps {
  /** A rejection keeps the question open with its reason. */
  onConfirm(): Promise<void>;
  onCancel(): void;
}

/**
 * "Delete this message?", asked in place: the focus goes to Cancel, the harmless answer, and
 * Escape is Cancel too.
 */
export function DeleteConfirm({ onConfirm, onCancel }: DeleteConfirmProps) {
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => cancel.current?.focus(), []);

  const confirm = () => {
    setDeleting(true);
    setError(null);
    onConfirm()
      .catch((reason: unknown) => setError(reasonOf(reason)))
      .finally(() => setDeleting(false));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    onCancel();
  };

  return (
    <div role="alertdialog" aria-labelledby={`${id}-question`} aria-describedby={`${id}-error`} className="delete-confirm" onKeyDown={onKeyDown}>
      <p id={`${id}-question`}>Delete this message? Everyone will see that it was deleted.</p>
      <div className="delete-confirm-buttons">
        <button type="button" className="danger" onClick={confirm} disabled={deleting}>
          {deleting ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p id={`${id}-error`} className="form-error" role="alert">
        {error}
      </p>
    </div>
  );
}
