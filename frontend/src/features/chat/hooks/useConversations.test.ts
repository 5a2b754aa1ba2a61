import { act, renderHook } from '@testing-library/react';
import { api } from '@/lib/client';
import type { PrivateMessage } from '@/lib/protocol';
import { useConversations } from './useConversations';

vi.mock('@/lib/client', () => ({ api: { privateMessages: vi.fn(), privateChanges: vi.fn(), listConversations: vi.fn() } }));

const pm = (id: number, changes: Partial<PrivateMessage> = {}): PrivateMessage => ({
  id,
  user: 'bob',
  to: 'alice',
  message: `pm ${id}`,
  timestamp: '2026-11-24T09:00:00.000000Z',
  edited_at: null,
  deleted: false,
  ...changes,
});

describe('useConversations catch-up', () => {
  it('fetches the messages missed, then the changes since the newest one held before, page by page', async () => {
    vi.mocked(api.privateMessages).mockResolvedValue({ results: [pm(6)], has_more: false });
    vi.mocked(api.privateChanges)
      .mockResolvedValueOnce({ results: [pm(4, { message: 'edited', edited_at: '2026-11-24T10:00:00.000000Z' })], has_more: true })
      .mockResolvedValueOnce({ results: [pm(2, { deleted: true, message: '' })], has_more: false });
    const { result } = renderHook(() => useConversations());
    act(() => {
      for (const id of [2, 4, 5]) result.current.actions.live(pm(id), 'alice');
    });

    await act(() => result.current.catchUp('alice'));

    expect(api.privateMessages).toHaveBeenCalledWith({ after: 5, limit: 100 });
    // From 5, not 6: changes are counted from where the stream was when the connection dropped.
    expect(vi.mocked(api.privateChanges).mock.calls).toEqual([
      [{ after: 5, before: undefined, limit: 100 }],
      [{ after: 5, before: 4, limit: 100 }],
    ]);
    const messages = result.current.conversations.byPeer.bob?.messages ?? [];
    expect(messages.map((message) => [message.id, message.message, message.deleted])).toEqual([
      [2, '', true],
      [4, 'edited', false],
      [5, 'pm 5', false],
      [6, 'pm 6', false],
    ]);
  });
});
