import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Reaction } from '@/lib/protocol';
import type { MessageActions } from '../messageActions';
import { roomItem } from '../timeline';
import { MessageItem } from './MessageItem';

// A minute ago: within the edit window.
const sent = new Date(Date.now() - 60_000).toISOString();
const soon = Date.now();

function item(user: string, changes: { reactions?: Reaction[]; deleted?: boolean; edited_at?: string | null } = {}) {
  return roomItem({ id: 5, room: 'lobby', user, message: 'hello there', timestamp: sent, edited_at: null, deleted: false, reactions: [], ...changes });
}

function actions(overrides: Partial<MessageActions> = {}): MessageActions {
  return {
    kind: 'room',
    isStaff: false,
    limits: { maxLength: 20, editWindow: 3600, reactionsPerMessage: 20 },
    edit: vi.fn(async () => undefined),
    remove: vi.fn(async () => undefined),
    react: vi.fn(async () => undefined),
    ...overrides,
  };
}

function renderItem(props: Partial<Parameters<typeof MessageItem>[0]> = {}) {
  return render(
    <ol>
      <MessageItem item={item('alice')} me="alice" first actions={actions()} now={soon} {...props} />
    </ol>,
  );
}

describe('MessageItem actions', () => {
  it('offers reacting, editing and deleting my own message, by Tab, with their names', async () => {
    renderItem();
    const user = userEvent.setup();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Add reaction' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Edit message' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Delete message' })).toHaveFocus();
  });

  it("offers no edit or delete on someone else's message; staff may delete it", () => {
    const { unmount } = renderItem({ item: item('bob') });
    expect(screen.getByRole('button', { name: 'Add reaction' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete message' })).toBeNull();
    unmount();
    renderItem({ item: item('bob'), actions: actions({ isStaff: true }) });
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete message' })).toBeInTheDocument();
  });

  it('offers no edit once the edit window has closed, and no reactions on a private message', () => {
    renderItem({ now: Date.parse(sent) + 3600_000, actions: actions({ kind: 'private' }) });
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add reaction' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete message' })).toBeInTheDocument();
  });

  it('offers nothing to a guest, who still sees the reactions', () => {
    renderItem({ me: null, actions: undefined, item: item('bob', { reactions: [{ emoji: '👍', count: 1, users: ['carol'] }] }) });
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.getByRole('img', { name: '👍 (1: carol)' })).toHaveTextContent('👍 1');
  });
});

describe('MessageItem editing', () => {
  it('edits in place: the current text, Enter saves, and the focus goes back to Edit', async () => {
    const edit = vi.fn(async () => undefined);
    renderItem({ actions: actions({ edit }) });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Edit message' }));
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    expect(box).toHaveValue('hello there');
    expect(box).toHaveFocus();
    await user.type(box, ', all{Enter}');
    expect(edit).toHaveBeenCalledWith(5, 'hello there, all');
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Edit message' })).toHaveFocus();
  });

  it('cancels with Escape, sending nothing', async () => {
    const edit = vi.fn(async () => undefined);
    renderItem({ actions: actions({ edit }) });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Edit message' }));
    await user.type(screen.getByRole('textbox', { name: 'Edit message' }), ' more{Escape}');
    expect(edit).not.toHaveBeenCalled();
    expect(screen.getByText('hello there')).toBeInTheDocument();
  });

  it('keeps the editor open with the text and the reason when the edit is refused', async () => {
    const edit = vi.fn(async () => Promise.reject(new Error('This message can no longer be edited.')));
    renderItem({ actions: actions({ edit }) });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Edit message' }));
    await user.type(screen.getByRole('textbox', { name: 'Edit message' }), '!{Enter}');
    expect(await screen.findByText('This message can no longer be edited.')).toHaveAttribute('role', 'alert');
    expect(screen.getByRole('textbox', { name: 'Edit message' })).toHaveValue('hello there!');
  });

  it('holds an edit past the length limit, like the message box', async () => {
    const edit = vi.fn(async () => undefined);
    renderItem({ actions: actions({ edit }) });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Edit message' }));
    await user.type(screen.getByRole('textbox', { name: 'Edit message' }), ' and more words{Enter}');
    expect(edit).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(screen.getByText('26 / 20 characters: 6 too many')).toBeInTheDocument();
  });

  it('says an edited message was edited, and when', () => {
    renderItem({ item: item('bob', { edited_at: '2026-11-24T09:30:00.000000Z' }) });
    const edited = screen.getByText('(edited)');
    expect(edited.getAttribute('title')).toMatch(/^Edited /);
  });
});

describe('MessageItem deleting', () => {
  it('asks first, with the focus on Cancel; Escape keeps the message', async () => {
    const remove = vi.fn(async () => undefined);
    renderItem({ actions: actions({ remove }) });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    const question = screen.getByRole('alertdialog', { name: /Delete this message\?/ });
    expect(within(question).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete message' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Delete message' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(remove).toHaveBeenCalledWith(5);
    // The tombstone has no buttons: the focus stays on the message.
    await waitFor(() => expect(screen.getByTestId('message')).toHaveFocus());
  });

  it('shows a deleted message as a tombstone: no text, no reactions, nothing to do', () => {
    renderItem({ item: { ...item('alice'), deleted: true, message: '' } });
    expect(screen.getByTestId('message')).toHaveTextContent('Message deleted');
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByRole('list', { name: 'Reactions' })).toBeNull();
  });
});

describe('MessageItem reactions', () => {
  const reactions = [
    { emoji: '👍', count: 3, users: ['alice', 'bob', 'carol'] },
    { emoji: '🎉', count: 1, users: ['bob'] },
  ];

  it('shows chips with who reacted, pressed when I did, and a click toggles mine', async () => {
    const react = vi.fn(async () => undefined);
    renderItem({ item: item('bob', { reactions }), actions: actions({ react }) });
    const thumbs = screen.getByRole('button', { name: 'React with 👍 (3: alice, bob, carol)' });
    expect(thumbs).toHaveTextContent('👍 3');
    expect(thumbs).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'React with 🎉 (1: bob)' })).toHaveAttribute('aria-pressed', 'false');
    await userEvent.click(thumbs);
    expect(react).toHaveBeenCalledWith(5, '👍', false);
    await userEvent.click(screen.getByRole('button', { name: 'React with 🎉 (1: bob)' }));
    expect(react).toHaveBeenLastCalledWith(5, '🎉', true);
  });

  it('picks from the palette by keyboard, and gives the focus back', async () => {
    const react = vi.fn(async () => undefined);
    renderItem({ item: item('bob', { reactions }), actions: actions({ react }) });
    const user = userEvent.setup();
    const add = screen.getByRole('button', { name: 'Add reaction' });
    add.focus();
    await user.keyboard('{Enter}');
    expect(add).toHaveAttribute('aria-expanded', 'true');
    const menu = screen.getByRole('menu', { name: 'Choose a reaction' });
    expect(within(menu).getByRole('menuitemcheckbox', { name: 'React with 👍' })).toHaveFocus();
    expect(within(menu).getByRole('menuitemcheckbox', { name: 'React with 👍' })).toHaveAttribute('aria-checked', 'true');
    await user.keyboard('{ArrowRight}');
    expect(within(menu).getByRole('menuitemcheckbox', { name: 'React with ❤️' })).toHaveFocus();
    await user.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(within(menu).getByRole('menuitemcheckbox', { name: 'React with 😢' })).toHaveFocus();
    await user.keyboard('{Home}{ArrowRight}{Enter}');
    expect(react).toHaveBeenCalledWith(5, '❤️', true);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(add).toHaveFocus();

    await user.keyboard('{Enter}');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(add).toHaveFocus();
  });

  it('offers no new emoji when the message has as many as it may carry; its chips still work', () => {
    renderItem({ item: item('bob', { reactions }), actions: actions({ limits: { maxLength: 20, editWindow: 3600, reactionsPerMessage: 2 } }) });
    expect(screen.queryByRole('button', { name: 'Add reaction' })).toBeNull();
    expect(screen.getByRole('button', { name: 'React with 🎉 (1: bob)' })).toBeEnabled();
  });

  it('says why a reaction was refused', async () => {
    const react = vi.fn(async () => Promise.reject(new Error('This message has as many different reactions as it can take.')));
    renderItem({ item: item('bob', { reactions }), actions: actions({ react }) });
    await userEvent.click(screen.getByRole('button', { name: 'React with 🎉 (1: bob)' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('as many different reactions');
  });
});
