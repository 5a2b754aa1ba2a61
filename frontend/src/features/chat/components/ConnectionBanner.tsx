import type { ConnectionState } from '@/lib/socket';
import { useNow } from '@/shared/hooks';

export interface ConnectionBannerProps {
  state: ConnectionState;
  onRetry(): void;
}

/** Says when the live connection is not there, and what is being done about it. */
export function ConnectionBanner({ state, onRetry }: ConnectionBannerProps) {
  const now = useNow(1000);
  let content: React.ReactNode = null;
  if (state.status === 'connecting') {
    content = 'Connecting…';
  } else if (state.status === 'reconnecting') {
    const seconds = state.retryAt === null ? 0 : Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    content = (
      <>
        <strong>Reconnecting…</strong> {seconds > 0 ? `next try in ${seconds} s.` : 'trying now.'}{' '}
        {state.reason && `${state.reason} `}
        {seconds > 0 && (
          <button type="button" className="link-button" onClick={onRetry}>
            Retry now
          </button>
        )}
      </>
    );
  } else if (state.status === 'stopped') {
    content = (
      <>
        <strong>Disconnected.</strong> {state.reason}
      </>
    );
  }
  return (
    <div
      className={`connection-banner ${state.status}`}
      role="status"
      aria-live="polite"
      data-testid="connection-status"
      data-status={state.status}
      hidden={content === null}
    >
      {content}
    </div>
  );
}
