import { render, screen } from '@testing-library/react';
import { api } from '@/lib/client';
import { RoomList } from './RoomList';

vi.mock('@/lib/client', () => ({ api: { listRooms: vi.fn() } }));

describe('RoomList', () => {
  it('lists rooms with their online counts, as links', async () => {
    vi.mocked(api.listRooms).mockResolvedValue({
      count: 2,
      next: null,
      previous: null,
      results: [
        { name: 'lobby', admin_only: false, online_count: 3, created_at: '2026-11-24T09:00:00.000000Z' },
        { name: 'staff', admin_only: true, online_count: 0, created_at: '2026-11-24T09:00:00.000000Z' },
      ],
    });
    render(<RoomList />);
    const lobby = await screen.findByRole('link', { name: /#lobby/ });
    expect(lobby).toHaveAttribute('href', '/rooms/lobby');
    expect(lobby).toHaveTextContent('3 online');
    expect(screen.getByRole('link', { name: /#staff/ })).toHaveTextContent('staff');
  });

  it('polls again every 10 seconds while the page is visible', async () => {
    vi.useFakeTimers();
    try {
      vi.mocked(api.listRooms).mockResolvedValue({ count: 0, next: null, previous: null, results: [] });
      render(<RoomList />);
      expect(api.listRooms).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(api.listRooms).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says so when the rooms cannot be loaded', async () => {
    const { NetworkError } = await import('@/lib/http');
    vi.mocked(api.listRooms).mockRejectedValue(new NetworkError());
    render(<RoomList />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The server cannot be reached.');
  });
});
