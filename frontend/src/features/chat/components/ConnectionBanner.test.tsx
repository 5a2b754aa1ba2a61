import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConnectionBanner } from './ConnectionBanner';

describe('ConnectionBanner', () => {
  it('is hidden while connected', () => {
    render(<ConnectionBanner state={{ status: 'open' }} onRetry={() => {}} />);
    expect(screen.getByTestId('connection-status')).not.toBeVisible();
  });

  it('shows the reconnecting state with a retry button', async () => {
    const onRetry = vi.fn();
    render(
      <ConnectionBanner state={{ status: 'reconnecting', attempt: 2, retryAt: Date.now() + 4000 }} onRetry={onRetry} />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(/Reconnecting…\s*next try in 4 s/);
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(onRetry).toHaveBeenCalled();
  });

  it('says why the wait is long when the person can do something about it', () => {
    render(
      <ConnectionBanner
        state={{ status: 'reconnecting', attempt: 1, retryAt: Date.now() + 30_000, reason: 'Too many open tabs or connections: close some.' }}
        onRetry={() => {}}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(/next try in 30 s\.\s*Too many open tabs or connections: close some\./);
  });

  it('gives the reason when the server will not have us', () => {
    render(
      <ConnectionBanner state={{ status: 'stopped', code: 4403, reason: 'You are not allowed in this room.' }} onRetry={() => {}} />,
    );
    expect(screen.getByRole('status')).toHaveTextContent('You are not allowed in this room.');
  });
});
