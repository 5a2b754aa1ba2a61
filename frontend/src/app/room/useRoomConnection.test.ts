import { act, renderHook } from '@testing-library/react';
import { useRoomConnection } from './useRoomConnection';

const sent: unknown[] = [];
vi.mock('@/lib/client', () => ({
  openRoomSocket: () => ({ send: (frame: unknown) => sent.push(frame), dispose: () => undefined }),
  api: {},
}));

beforeEach(() => {
  sent.length = 0;
});

describe('useRoomConnection', () => {
  it('keeps what is sent before the room is ready and sends it once the socket exists', () => {
    const { result, rerender } = renderHook(({ enabled }) => useRoomConnection('lobby', 'alice', enabled, null), {
      initialProps: { enabled: false },
    });
    act(() => result.current.sendToRoom('typed while the room was loading'));
    expect(sent).toEqual([]);
    rerender({ enabled: true });
    expect(sent).toEqual([{ type: 'chat_message', message: 'typed while the room was loading' }]);
    act(() => result.current.sendToRoom('and after'));
    expect(sent).toHaveLength(2);
  });
});
