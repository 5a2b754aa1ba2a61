export interface PrivateToastProps {
  /** What to tell about a private conversation, or null. */
  toast: { title: string; text: string; peer: string } | null;
  onOpen(peer: string): void;
  onDismiss(): void;
}

const PREVIEW_CHARACTERS = 80;

/** "Private message from bob: …" for a moment, while the person is elsewhere; Open goes there. */
export function PrivateToast({ toast, onOpen, onDismiss }: PrivateToastProps) {
  const text = toast?.text ?? '';
  const preview = text.length > PREVIEW_CHARACTERS ? `${text.slice(0, PREVIEW_CHARACTERS)}…` : text;
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {toast !== null && (
        <div className="toast" data-testid="private-toast">
          <p>
            <strong>{toast.title}</strong>
            {preview && <span className="toast-text">{preview}</span>}
          </p>
          <div className="toast-actions">
            <button type="button" className="primary" onClick={() => onOpen(toast.peer)}>
              Open<span className="visually-hidden"> the conversation with {toast.peer}</span>
            </button>
            <button type="button" className="icon-button" onClick={onDismiss}>
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">Dismiss</span>
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
