import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { privateItem, roomItem } from '../timeline';
import { MessageList } from './MessageList';

const at = (second: number) => `2026-11-24T09:00:${String(second).padStart(2, '0')}.000000Z`;

function renderList(overrides: Partial<Parameters<typeof MessageList>[0]> = {}) {
  const onLoadOlder = vi.fn();
  render(
    <MessageList
      items={[]}
      pending={[]}
      me="alice"
      label="Messages in #lobby"
      hasOlder={false}
      loadingOlder={false}
      olderError={null}
      onLoadOlder={onLoadOlder}
      {...overrides}
    />,
  );
  return { onLoadOlder };
}

describe('MessageList', () => {
  it('shows sender, time and text of each message', () => {
    renderList({ items: [roomItem({ id: 1, room: 'lobby', user: 'bob', message: 'hi alice', timestamp: at(1) })] });
    const item = screen.getByTestId('message');
    expect(within(item).getByText('bob')).toBeInTheDocument();
    expect(within(item).getByText('hi alice')).toBeInTheDocument();
    expect(item.querySelector('time')).toHaveAttribute('dateTime', at(1));
  });

  it('renders markup in a message as text, never as HTML', () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
    renderList({ items: [roomItem({ id: 1, room: 'lobby', user: 'mallory', message: payload, timestamp: at(1) })] });
    const item = screen.getByTestId('message');
    expect(item.querySelector('img, script, b')).toBeNull();
    expect(within(item).getByText(payload)).toBeInTheDocument();
  });

  it('marks private messages in both directions', () => {
    renderList({
      items: [
        privateItem({ id: 1, user: 'bob', to: 'alice', message: 'psst', timestamp: at(1) }, 'in'),
        privateItem({ id: 2, user: 'alice', to: 'bob', message: 'yes?', timestamp: at(2) }, 'out'),
      ],
    });
    const [received, sent] = screen.getAllByTestId('message');
    expect(received).toHaveClass('private');
    expect(within(received as HTMLElement).getByText('Private from bob')).toBeInTheDocument();
    expect(within(sent as HTMLElement).getByText('Private to bob')).toBeInTheDocument();
  });

  it('shows pending messages with their state', () => {
    renderList({
      pending: [
        { clientId: 'c-1', text: 'queued one', to: null, waiting: true },
        { clientId: 'c-2', text: 'on its way', to: 'bob', waiting: false },
      ],
    });
    const [queued, sending] = screen.getAllByTestId('pending-message');
    expect(queued).toHaveTextContent('waiting for connection');
    expect(sending).toHaveTextContent('Private to bob');
    expect(sending).toHaveTextContent('sending');
  });

  it('offers a button to load older messages', async () => {
    const { onLoadOlder } = renderList({
      hasOlder: true,
      items: [roomItem({ id: 5, room: 'lobby', user: 'bob', message: 'x', timestamp: at(5) })],
    });
    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });

  it('announces new messages politely as a log', () => {
    renderList();
    expect(screen.getByRole('log', { name: 'Messages in #lobby' })).toHaveAttribute('aria-live', 'polite');
  });
});
