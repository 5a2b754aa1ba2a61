import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { FRONTEND_DIR } from './backend';
import {
  conversation,
  conversationLink,
  editMessage,
  enterRoom,
  expect,
  messageAction,
  messageBox,
  messageWith,
  messages,
  onlineList,
  reactTo,
  roomLink,
  say,
  test,
} from './fixtures';

const OUT = join(FRONTEND_DIR, '..', 'docs', 'screenshots');

async function shot(page: Page, name: string, { blur = true } = {}): Promise<void> {
  // Blur whatever has focus so no caret or focus ring is frozen into the picture by chance.
  if (blur) await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // And no pointer rests on a message, whose actions would show.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

/** The sidebar's counts of rooms not open come from REST: on focus, as when the person comes back. */
async function refocus(page: Page): Promise<void> {
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
}

test('screenshots of the main screens', async ({ newPerson, backend }) => {
  test.setTimeout(150_000);
  const room = 'lobby';
  const alice = await newPerson('alice', { exactName: true });
  const bob = await newPerson('bob', { exactName: true });
  const carol = await newPerson('carol', { exactName: true });

  const guest = await newPerson('guest', { signUp: false });
  await guest.page.goto('/login');
  await guest.page.getByLabel('Username').fill('alice');
  await shot(guest.page, 'login');

  for (const name of ['design', 'random']) {
    await enterRoom(carol.page, name);
    await say(carol.page, name, `Welcome to #${name}.`);
  }
  await enterRoom(alice.page, 'random');
  await expect(messages(alice.page)).toHaveCount(1);
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await enterRoom(carol.page, room);
  await say(alice.page, room, 'Morning all! Standup in 10 minutes.');
  await say(alice.page, room, 'The agenda is in the usual place.');
  await say(bob.page, room, 'On my way. Can someone share the notes from Friday?');
  await say(carol.page, room, 'Here: https://example.com/notes (read-only)');
  await say(carol.page, room, 'Ping me if the link does not work.');
  await say(alice.page, room, '<b>This stays text</b>, no HTML from a message ever reaches the page.');
  await say(bob.page, room, `/pm ${alice.name} Can we move our 1:1 to 3pm?`);
  await expect(messages(alice.page)).toHaveCount(6);
  // A message edited, and reactions.
  await editMessage(messageWith(alice.page, 'The agenda is'), 'The agenda is in the usual place, updated this morning.');
  await reactTo(messageWith(bob.page, 'Morning all!'), '👍');
  await reactTo(messageWith(carol.page, 'Morning all!'), '👍');
  await reactTo(messageWith(carol.page, 'Morning all!'), '🎉');
  await expect(messageWith(alice.page, 'Morning all!').getByRole('button', { name: /^React with 🎉/ })).toBeVisible();
  await expect(onlineList(alice.page).getByRole('button')).toHaveCount(2);
  await expect(conversationLink(alice.page, bob.name)).toHaveAccessibleName(`${bob.name}, 1 unread`);
  await alice.page.getByTestId('private-toast').getByRole('button', { name: 'Dismiss' }).click();
  // Unread elsewhere: #random, where alice has read before.
  await say(carol.page, room, 'Lunch at 12:30 in #random?');
  await carol.page.goto('/rooms/random');
  await say(carol.page, 'random', 'Lunch at 12:30, anyone?');
  // Stored before alice asks for the counts.
  await expect(messageWith(carol.page, 'Lunch at 12:30, anyone?')).toHaveCount(1);
  await refocus(alice.page);
  await expect(roomLink(alice.page, 'random')).toHaveAccessibleName('random, 1 unread');
  await enterRoom(carol.page, room);
  await messageBox(carol.page, room).pressSequentially('Sounds good');
  await expect(alice.page.getByTestId('typing-indicator')).toHaveText('carol is typing…');
  await shot(alice.page, 'room');

  // A message's actions, with the emoji palette open (it holds the focus, so the toolbar stays).
  const morning = messageWith(alice.page, 'Morning all!');
  await (await messageAction(morning, 'Add reaction')).click();
  await expect(morning.getByRole('menu', { name: 'Choose a reaction' })).toBeVisible();
  await shot(alice.page, 'message-actions', { blur: false });
  await alice.page.keyboard.press('Escape');

  await roomLink(alice.page, 'random').click();
  await expect(messages(alice.page)).toHaveCount(2);
  await alice.page.getByRole('link', { name: 'All rooms' }).click();
  await expect(alice.page.getByRole('main').getByText('2 online').first()).toBeVisible();
  await shot(alice.page, 'room-list');

  await conversationLink(alice.page, bob.name).click();
  const box = alice.page.getByRole('textbox', { name: `Private message to ${bob.name}`, exact: true });
  await box.fill('Sure, 3pm works.');
  await box.press('Enter');
  await expect(conversation(alice.page).getByTestId('message')).toHaveCount(2);
  await shot(alice.page, 'private-conversation');

  await bob.page.setViewportSize({ width: 375, height: 740 });
  await bob.page.reload();
  await expect(messages(bob.page).first()).toBeVisible();
  await shot(bob.page, 'phone');
  await bob.page.getByRole('button', { name: /^Menu/ }).click();
  await expect(roomLink(bob.page, room)).toBeFocused();
  await shot(bob.page, 'phone-menu', { blur: false });
  await bob.page.keyboard.press('Escape');

  await backend.stop('SIGKILL');
  await expect(carol.page.getByTestId('connection-status')).toContainText('Reconnecting');
  await messageBox(carol.page, room).fill('');
  await say(carol.page, room, 'Is the server down?');
  await expect(carol.page.getByTestId('pending-message')).toBeVisible();
  await shot(carol.page, 'reconnecting');
  await backend.start();
  await expect(carol.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
});
