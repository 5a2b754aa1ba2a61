import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { presenceReducer } from '../usePresence';
import { OnlineUsers } from './OnlineUsers';

describe('OnlineUsers', () => {
  it('starts a private conversation when someone else is clicked', async () => {
    const onSelect = vi.fn();
    render(<OnlineUsers users={['alice', 'bob']} me="alice" onSelect={onSelect} />);
    expect(screen.queryByRole('button', { name: /alice/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Send a private message to bob' }));
    expect(onSelect).toHaveBeenCalledWith('bob');
  });

  it('lists people without buttons for anonymous visitors', () => {
    render(<OnlineUsers users={['bob']} me={null} />);
    expect(screen.getByText('bob')).toBeInTheDocument();
    expect(screen.queryByRole('button')).toBeNull();
  });
});

describe('presenceReducer', () => {
  it('follows joins and leaves, each user once, sorted', () => {
    let users = presenceReducer([], { type: 'reset', users: ['carol', 'alice'] });
    users = presenceReducer(users, { type: 'join', user: 'bob' });
    users = presenceReducer(users, { type: 'join', user: 'bob' });
    users = presenceReducer(users, { type: 'leave', user: 'carol' });
    expect(users).toEqual(['alice', 'bob']);
  });
});
