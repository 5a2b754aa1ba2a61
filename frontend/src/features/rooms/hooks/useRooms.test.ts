import { renderHook, waitFor } from '@testing-library/react';
import { api } from '@/lib/client';
import { useRooms } from './useRooms';

vi.mock('@/lib/client', () => ({ api: { listRooms: vi.fn() } }));

describe('useRooms', () => {
  it('polls again every 10 seconds while the page is visible, and on focus', async () => {
    vi.useFakeTimers();
    try {
      vi.mocked(api.listRooms).mockResolvedValue({ count: 0, next: null, previous: null, results: [] });
      renderHook(() => useRooms());
      expect(api.listRooms).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(api.listRooms).toHaveBeenCalledTimes(2);
      globalThis.dispatchEvent(new Event('focus'));
      expect(api.listRooms).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the error when the rooms cannot be loaded', async () => {
    const { NetworkError } = await import('@/lib/http');
    vi.mocked(api.listRooms).mockRejectedValue(new NetworkError());
    const { result } = renderHook(() => useRooms());
    await waitFor(() => expect(result.current.error).toBe('The server cannot be reached.'));
  });
});
