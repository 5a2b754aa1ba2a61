import { render, screen } from '@testing-library/react';
import type { Room } from '@/lib/protocol';
import { RoomList } from './RoomList';
import { SidebarRooms } from './SidebarRooms';

const room = (name: string, extra: Partial<Room> = {}): Room => ({
  name,
  admin_only: false,
  online_count: 0,
  unread_count: 0,
  last_read_id: null,
  created_at: '2026-11-24T09:00:00.000000Z',
  ...extra,
});

describe('RoomList', () => {
  it('lists rooms with their online counts, as links', () => {
    render(<RoomList rooms={[room('lobby', { online_count: 3 }), room('staff', { admin_only: true })]} error={null} />);
    const lobby = screen.getByRole('link', { name: /#lobby/ });
    expect(lobby).toHaveAttribute('href', '/rooms/lobby');
    expect(lobby).toHaveTextContent('3 online');
    expect(screen.getByRole('link', { name: /#staff/ })).toHaveTextContent('staff only');
  });

  it('says so when the rooms cannot be loaded', () => {
    render(<RoomList rooms={null} error="The server cannot be reached." />);
    expect(screen.getByRole('alert')).toHaveTextContent('The server cannot be reached.');
  });
});

describe('SidebarRooms', () => {
  it('marks the open room, flags staff-only rooms and names unread counts', () => {
    render(
      <SidebarRooms
        rooms={[room('lobby'), room('staff', { admin_only: true }), room('random')]}
        error={null}
        current="lobby"
        unread={{ random: 4 }}
      />,
    );
    expect(screen.getByRole('link', { name: 'lobby' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('link', { name: 'staff, staff only' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'random, 4 unread' })).toBeInTheDocument();
  });
});
