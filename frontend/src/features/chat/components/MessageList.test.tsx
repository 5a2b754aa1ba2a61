import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { roomItem } from '../timeline';
import { MessageList } from './MessageList';

const at = (minute: number) => new Date(2026, 10, 24, 9, minute).toISOString();
const message = (id: number, user: string, minute: number, text = `message ${id}`) =>
  roomItem({ id, room: 'lobby', user, message: text, timestamp: at(minute), edited_at: null, deleted: false, reactions: [] });

type Props = Parameters<typeof MessageList>[0];

function renderList(overrides: Partial<Props> = {}) {
  const onLoadOlder = vi.fn();
  const props: Props = {
    items: [],
    pending: [],
    me: 'alice',
    label: 'Messages in #lobby',
    hasOlder: false,
    loadingOlder: false,
    olderError: null,
    onLoadOlder,
    ...overrides,
  };
  const view = render(<MessageList {...props} />);
  return { onLoadOlder, props, rerender: (next: Partial<Props>) => view.rerender(<MessageList {...props} {...next} />) };
}

/** jsdom lays nothing out: give the scroller a size and a position, and tell it it scrolled. */
function scrollTo(scroller: HTMLElement, top: number, height = 1000, view = 200) {
  Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: height });
  Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: view });
  scroller.scrollTop = top;
  fireEvent.scroll(scroller);
}

describe('MessageList', () => {
  it('offers "Jump to latest" when scrolled up, with the count of messages that came below', async () => {
    const items = [message(1, 'bob', 0), message(2, 'bob', 1)];
    const { rerender } = renderList({ items });
    const scroller = screen.getAllByLabelText('Messages in #lobby')[0] as HTMLElement;
    scrollTo(scroller, 800);
    expect(screen.queryByTestId('jump-latest')).toBeNull();
    scrollTo(scroller, 100);
    expect(screen.getByTestId('jump-latest')).toHaveTextContent(/^Jump to latest$/);
    rerender({ items: [...items, message(3, 'carol', 2), message(4, 'carol', 3)] });
    expect(screen.getByTestId('jump-latest')).toHaveTextContent('Jump to latest2 new');
    await userEvent.click(screen.getByTestId('jump-latest'));
    expect(scroller.scrollTop).toBe(1000);
    expect(screen.queryByTestId('jump-latest')).toBeNull();
    expect(scroller).toHaveFocus();
  });

  it('tells which is the newest message on screen, for read markers', () => {
    let report: IntersectionObserverCallback = () => {};
    const observed: Element[] = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(callback: IntersectionObserverCallback) {
          report = callback;
        }
        observe(element: Element) {
          observed.push(element);
        }
        disconnect() {}
      },
    );
    try {
      const onSeen = vi.fn();
      renderList({ items: [message(1, 'bob', 0), message(2, 'bob', 1), message(3, 'bob', 2)], onSeen });
      expect(observed).toHaveLength(3);
      const entry = (index: number, ratio: number) =>
        ({ target: observed[index], isIntersecting: ratio > 0, intersectionRatio: ratio, intersectionRect: { height: 10 * ratio }, rootBounds: { height: 200 } }) as unknown as IntersectionObserverEntry;
      act(() => report([entry(0, 1), entry(1, 1), entry(2, 0.2)], {} as IntersectionObserver));
      expect(onSeen).toHaveBeenLastCalledWith(2);
      act(() => report([entry(2, 1)], {} as IntersectionObserver));
      expect(onSeen).toHaveBeenLastCalledWith(3);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('shows sender, time and text of each message', () => {
    renderList({ items: [message(1, 'bob', 0, 'hi alice')] });
    const item = screen.getByTestId('message');
    expect(within(item).getByText('bob')).toBeInTheDocument();
    expect(within(item).getByText('hi alice')).toBeInTheDocument();
    expect(item.querySelector('time')).toHaveAttribute('dateTime', at(0));
  });

  it('groups messages under one header and separates days', () => {
    renderList({ items: [message(1, 'bob', 0), message(2, 'bob', 1), message(3, 'carol', 2)] });
    const [first, second, third] = screen.getAllByTestId('message') as HTMLElement[];
    expect(first).toHaveClass('first');
    expect(second).toHaveClass('continued');
    // A continued message still says who wrote it, to screen readers.
    expect(second).toHaveTextContent(/bob,/);
    expect(third).toHaveClass('first');
    expect(screen.getAllByTestId('day-divider')).toHaveLength(1);
  });

  it('renders markup in a message as text, never as HTML', () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
    renderList({ items: [message(1, 'mallory', 0, payload)] });
    const item = screen.getByTestId('message');
    expect(item.querySelector('img, script, b')).toBeNull();
    expect(within(item).getByText(payload)).toBeInTheDocument();
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
    expect(sending).toHaveTextContent('sending');
  });

  it('offers a button to load older messages', async () => {
    const { onLoadOlder } = renderList({ hasOlder: true, items: [message(5, 'bob', 5)] });
    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });

  it('announces new messages politely as a log', () => {
    renderList();
    expect(screen.getByRole('log', { name: 'Messages in #lobby' })).toHaveAttribute('aria-live', 'polite');
  });
});
