import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api } from '@/lib/client';
import { ApiError } from '@/lib/http';
import { EnterRoomForm } from './EnterRoomForm';

vi.mock('@/lib/client', () => ({ api: { enterRoom: vi.fn(), getRoom: vi.fn() } }));

const room = { name: 'ops', admin_only: true, online_count: 0, unread_count: 0, last_read_id: null, created_at: '' };

describe('EnterRoomForm', () => {
  it('offers staff a staff-only room, and asks the server for one', async () => {
    vi.mocked(api.enterRoom).mockResolvedValue(room);
    const onEntered = vi.fn();
    render(<EnterRoomForm loggedIn isStaff onEntered={onEntered} />);
    await userEvent.type(screen.getByLabelText('Join or create a room'), '#ops');
    await userEvent.click(screen.getByRole('checkbox', { name: /Staff only/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Go' }));
    expect(api.enterRoom).toHaveBeenCalledWith('ops', { adminOnly: true });
    expect(onEntered).toHaveBeenCalledWith('ops');
  });

  it('does not show the option to anybody else', () => {
    render(<EnterRoomForm loggedIn isStaff={false} onEntered={() => {}} />);
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('says so when a room is for staff only', async () => {
    vi.mocked(api.enterRoom).mockRejectedValue(new ApiError(403, 'forbidden', 'Forbidden.', {}));
    render(<EnterRoomForm loggedIn isStaff={false} onEntered={() => {}} />);
    await userEvent.type(screen.getByLabelText('Join or create a room'), 'ops{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('#ops is for staff only.');
  });
});
