import { act, renderHook } from '@testing-library/react';
import { PM_USAGE } from '@/lib/protocol';
import type { OutboxEntry, RoomEventHandlers, RoomSocketOptions } from '@/lib/socket';
import { useRoomConnection } from './useRoomConnection';

const sent: { frame: unknown; origin: string | null }[] = [];
const opened: { handlers: RoomEventHandlers; callbacks: Pick<RoomSocketOptions, 'onOutboxChange'> }[] = [];
vi.mock('@/lib/client', () => ({
  openRoomSocket: (_room: string, handlers: RoomEventHandlers, callbacks: Pick<RoomSocketOptions, 'onOutboxChange'>) => {
    opened.push({ handlers, callbacks });
    return {
      send: (frame: unknown, origin: string | null) => {
        sent.push({ frame, origin });
        return `c-${sent.length}`;
      },
      dispose: () => undefined,
    };
  },
  api: {},
}));

beforeEach(() => {
  sent.length = 0;
  opened.length = 0;
});

function connected() {
  return renderHook(() => useRoomConnection('lobby', 'alice', true, null));
}

describe('useRoomConnection', () => {
  it('keeps what is sent before the room is ready and sends it once the socket exists', () => {
    const { result, rerender } = renderHook(({ enabled }) => useRoomConnection('lobby', 'alice', enabled, null), {
      initialProps: { enabled: false },
    });
    act(() => {
      result.current.sendToRoom('typed while the room was loading');
    });
    expect(sent).toEqual([]);
    rerender({ enabled: true });
    expect(sent.map(({ frame }) => frame)).toEqual([{ type: 'chat_message', message: 'typed while the room was loading' }]);
    act(() => {
      result.current.sendToRoom('and after');
    });
    expect(sent).toHaveLength(2);
  });

  it.each([' /pm bob secret', '/pm\tbob secret', '/PM bob secret', '/pm bob  secret \n'])(
    'sends %j from the room box as a private_message frame, never as a room message',
    (text) => {
      const { result } = connected();
      act(() => {
        expect(result.current.sendToRoom(text)).toBe(true);
      });
      expect(sent.map(({ frame }) => frame)).toEqual([{ type: 'private_message', to: 'bob', message: 'secret' }]);
    },
  );

  it.each(['/pm', '/pm bob', ' /PM bob \t'])('refuses %j without sending anything, and says why', (text) => {
    const { result } = connected();
    act(() => {
      expect(result.current.sendToRoom(text)).toBe(false);
    });
    expect(sent).toEqual([]);
    expect(result.current.errors.room).toBe(PM_USAGE);
  });

  it('shows a private message from the room box, and its refusal, with the room box', () => {
    const { result } = connected();
    act(() => {
      result.current.sendToRoom('/pm nobody hello');
    });
    const entry: OutboxEntry = {
      clientId: 'c-1',
      frame: { type: 'private_message', to: 'nobody', message: 'hello', client_id: 'c-1' },
      state: 'sent',
      origin: sent[0]?.origin ?? null,
    };
    act(() => opened[0]?.callbacks.onOutboxChange?.([entry]));
    expect(result.current.pending.room).toEqual([{ clientId: 'c-1', text: 'hello', to: 'nobody', waiting: false }]);
    act(() =>
      opened[0]?.handlers.error(
        { type: 'error', code: 'user_not_found', message: 'There is no such user.', client_id: 'c-1' },
        { entry },
      ),
    );
    expect(result.current.errors.room).toBe('There is no such user.');
  });

  it('shows a message from a conversation, and its refusal, with that conversation', () => {
    const { result } = connected();
    act(() => result.current.sendPrivate('bob', 'hello'));
    const entry: OutboxEntry = {
      clientId: 'c-1',
      frame: { type: 'private_message', to: 'bob', message: 'hello', client_id: 'c-1' },
      state: 'sent',
      origin: sent[0]?.origin ?? null,
    };
    act(() => opened[0]?.callbacks.onOutboxChange?.([entry]));
    expect(result.current.pending.room).toEqual([]);
    expect(result.current.pending.byPeer.bob).toHaveLength(1);
    act(() =>
      opened[0]?.handlers.error({ type: 'error', code: 'too_long', message: 'Too long.', client_id: 'c-1' }, { entry }),
    );
    expect(result.current.errors).toEqual({ room: null, private: { bob: 'Too long.' } });
  });
});
