import { ActionRefused, PendingActions } from './actions';

const refusal = (clientId: string, code = 'forbidden') => ({ type: 'error' as const, code, message: 'No.', client_id: clientId });

describe('PendingActions', () => {
  it('settles an edit when the event about that message arrives, room or private alike', async () => {
    const pending = new PendingActions();
    const room = pending.add('c-1', { type: 'edit_message', id: 5, message: 'x' });
    const dm = pending.add('c-2', { type: 'edit_message', id: 5, message: 'x', with: 'bob' });
    // The private message numbered 5 is another message than the room's 5.
    pending.applied({ type: 'message_edited', id: 5, room: null, message: 'x', edited_at: 'now' });
    await expect(dm).resolves.toBeUndefined();
    pending.applied({ type: 'message_edited', id: 5, room: 'lobby', message: 'x', edited_at: 'now' });
    await expect(room).resolves.toBeUndefined();
  });

  it('does not take a delete for the answer to an edit', async () => {
    const pending = new PendingActions();
    const edit = pending.add('c-1', { type: 'edit_message', id: 5, message: 'x' });
    pending.applied({ type: 'message_deleted', id: 5, room: 'lobby' });
    expect(pending.refused(refusal('c-1', 'message_not_found'))).toBe(true);
    await expect(edit).rejects.toMatchObject({ code: 'message_not_found' });
  });

  it('rejects with the refusal that names the frame, and leaves other errors alone', async () => {
    const pending = new PendingActions();
    const deleting = pending.add('c-1', { type: 'delete_message', id: 5 });
    expect(pending.refused(refusal('c-9'))).toBe(false);
    expect(pending.refused(refusal('c-1'))).toBe(true);
    await expect(deleting).rejects.toBeInstanceOf(ActionRefused);
  });

  it('settles a reaction by its event', async () => {
    const pending = new PendingActions();
    const react = pending.add('c-1', { type: 'react', id: 5, emoji: '👍', added: true });
    pending.applied({ type: 'reaction', id: 5, room: 'lobby', emoji: '👍', user: 'alice', added: true });
    await expect(react).resolves.toBeUndefined();
  });

  it('says an edit or a delete needs trying again when the connection drops, and forgets reactions', async () => {
    const pending = new PendingActions();
    const edit = pending.add('c-1', { type: 'edit_message', id: 5, message: 'x' });
    pending.add('c-2', { type: 'react', id: 5, emoji: '👍', added: true });
    pending.dropped();
    await expect(edit).rejects.toMatchObject({ code: 'connection_lost' });
    expect(pending.refused(refusal('c-2'))).toBe(false);
  });
});
