/** Editing and deleting messages (room and private), and reactions on room messages, between two people. */
import type { WebSocketRoute } from '@playwright/test';
import {
  conversation,
  conversationLink,
  editMessage,
  enterRoom,
  expect,
  messageAction,
  messageWith,
  pinned,
  reactTo,
  roomLink,
  say,
  test,
  unique,
} from './fixtures';

test('alice edits her message and bob sees it edited; bob cannot edit it', async ({ newPerson }) => {
  const room = unique('edit');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'helo bob');
  await expect(messageWith(bob.page, 'helo bob')).toHaveCount(1);

  await editMessage(messageWith(alice.page, 'helo bob'), 'hello bob');
  const seen = messageWith(bob.page, 'hello bob');
  await expect(seen).toContainText('(edited)');
  await expect(seen.getByText('(edited)')).toHaveAttribute('title', /^Edited /);
  await expect(messageWith(bob.page, 'helo bob')).toHaveCount(0);

  // Bob may react to alice's message, but neither edit nor delete it.
  await expect(await messageAction(seen, 'Add reaction')).toBeVisible();
  await expect(seen.getByRole('button', { name: 'Edit message' })).toHaveCount(0);
  await expect(seen.getByRole('button', { name: 'Delete message' })).toHaveCount(0);

  // A refused edit (emptied) is not sent: Save is disabled; Escape leaves the text as it was.
  const mine = await pinned(messageWith(alice.page, 'hello bob'));
  await (await messageAction(mine, 'Edit message')).click();
  const editor = mine.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('   ');
  await expect(mine.getByRole('button', { name: 'Save' })).toBeDisabled();
  await editor.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(mine).toContainText('hello bob');

  await bob.page.reload();
  await expect(messageWith(bob.page, 'hello bob')).toContainText('(edited)');
});

test('alice deletes a message and bob sees a tombstone, after a reload too', async ({ newPerson }) => {
  const room = unique('delete');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'oops, wrong room');
  await say(alice.page, room, 'this one stays');
  await expect(messageWith(bob.page, 'this one stays')).toHaveCount(1);
  await reactTo(messageWith(bob.page, 'oops, wrong room'), '😂');
  await expect(messageWith(alice.page, 'oops, wrong room').getByRole('button', { name: /^React with 😂/ })).toBeVisible();

  const doomed = messageWith(alice.page, 'oops, wrong room');
  await (await messageAction(doomed, 'Delete message')).click();
  const question = doomed.getByRole('alertdialog', { name: /Delete this message\?/ });
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await question.getByRole('button', { name: 'Delete', exact: true }).click();

  for (const page of [alice.page, bob.page]) {
    await expect(messageWith(page, 'Message deleted')).toHaveCount(1);
    await expect(messageWith(page, 'oops, wrong room')).toHaveCount(0);
    await expect(messageWith(page, 'Message deleted').getByRole('button')).toHaveCount(0);
  }
  await bob.page.reload();
  await expect(messageWith(bob.page, 'Message deleted')).toHaveCount(1);
  await expect(messageWith(bob.page, 'this one stays')).toHaveCount(1);
  await expect(messageWith(bob.page, 'Message deleted').getByRole('list', { name: 'Reactions' })).toHaveCount(0);
});

test('bob reacts with 👍 by keyboard, alice sees "👍 1", bob takes it away and it is gone', async ({ newPerson }) => {
  const room = unique('react');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'lunch at noon?');
  const bobsView = messageWith(bob.page, 'lunch at noon?');
  await expect(bobsView).toHaveCount(1);

  // A message takes the focus; Tab goes on to its actions.
  await bobsView.evaluate((element) => (element as HTMLElement).focus());
  await bob.page.keyboard.press('Tab');
  const add = bobsView.getByRole('button', { name: 'Add reaction' });
  await expect(add).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(bobsView.getByRole('menuitemcheckbox', { name: 'React with 👍' })).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(add).toBeFocused();

  const chip = messageWith(alice.page, 'lunch at noon?').getByRole('button', { name: `React with 👍 (1: ${bob.name})` });
  await expect(chip).toHaveText('👍 1');
  await expect(chip).toHaveAttribute('aria-pressed', 'false');
  const bobsChip = bobsView.getByRole('button', { name: /^React with 👍/ });
  await expect(bobsChip).toHaveAttribute('aria-pressed', 'true');

  await bobsChip.focus();
  await bob.page.keyboard.press('Space');
  await expect(chip).toHaveCount(0);
  await expect(bobsChip).toHaveCount(0);
});

test('a private message edited, then deleted', async ({ newPerson }) => {
  const room = unique('dmedit');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, `/pm ${bob.name} meet at 5?`);
  await expect(conversationLink(bob.page, alice.name)).toBeVisible();
  await conversationLink(alice.page, bob.name).click();
  await conversationLink(bob.page, alice.name).click();
  const alicesView = conversation(alice.page).getByTestId('message').filter({ hasText: 'meet at 5?' });
  const bobsView = conversation(bob.page).getByTestId('message');
  await expect(bobsView.filter({ hasText: 'meet at 5?' })).toHaveCount(1);

  // Private messages take no reactions; the sender may edit and delete hers, the recipient neither.
  await expect(await messageAction(alicesView, 'Edit message')).toBeVisible();
  await expect(alicesView.getByRole('button', { name: 'Add reaction' })).toHaveCount(0);
  await bobsView.first().hover();
  await expect(bobsView.getByRole('button')).toHaveCount(0);

  await editMessage(alicesView, 'meet at 6?');
  await expect(bobsView.filter({ hasText: 'meet at 6?' })).toContainText('(edited)');

  const edited = conversation(alice.page).getByTestId('message').filter({ hasText: 'meet at 6?' });
  await (await messageAction(edited, 'Delete message')).click();
  await edited.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(bobsView.filter({ hasText: 'Message deleted' })).toHaveCount(1);
  await expect(bobsView.filter({ hasText: 'meet at' })).toHaveCount(0);
  await bob.page.reload();
  await expect(conversation(bob.page).getByTestId('message').filter({ hasText: 'Message deleted' })).toHaveCount(1);
});

test('what changed while bob was away reaches him when he reconnects', async ({ newPerson }) => {
  const room = unique('resumeedit');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  // A proxy in front of the real server, so that bob's socket can be dropped at will.
  const sockets: WebSocketRoute[] = [];
  await bob.page.routeWebSocket(/\/ws\/chat\//, (socket) => {
    socket.connectToServer();
    sockets.push(socket);
  });
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'an older message');
  await say(alice.page, room, 'a newer one');
  await say(alice.page, room, `/pm ${bob.name} a private one`);
  await expect(messageWith(bob.page, 'a newer one')).toHaveCount(1);
  // Bob reads the conversation, on the room's socket, which stays open meanwhile: what he holds
  // of both can only be brought up to date by the resume.
  await conversationLink(bob.page, alice.name).click();
  const bobsPrivate = conversation(bob.page).getByTestId('message');
  await expect(bobsPrivate.filter({ hasText: 'a private one' })).toHaveCount(1);

  // Bob goes away, and stays away until let back.
  let away = true;
  await bob.page.route('**/api/auth/ws-ticket/', (route) => (away ? route.abort('connectionrefused') : route.continue()));
  sockets.at(-1)?.close({ code: 1012, reason: 'restart' });
  await expect(bob.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'reconnecting');

  await editMessage(messageWith(alice.page, 'an older message'), 'an older message, edited');
  await reactTo(messageWith(alice.page, 'a newer one'), '🎉');
  await expect(messageWith(alice.page, 'a newer one').getByRole('button', { name: /^React with 🎉/ })).toBeVisible();
  await conversationLink(alice.page, bob.name).click();
  await editMessage(conversation(alice.page).getByTestId('message').filter({ hasText: 'a private one' }), 'a private one, edited');
  await expect(bobsPrivate.filter({ hasText: 'a private one, edited' })).toHaveCount(0);

  away = false;
  await expect(bob.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
  expect(sockets.at(-1)?.url()).toMatch(/[?&]after=\d+/);
  await expect(bobsPrivate.filter({ hasText: 'a private one, edited' })).toContainText('(edited)');
  await roomLink(bob.page, room).click();
  await expect(messageWith(bob.page, 'an older message, edited')).toContainText('(edited)');
  await expect(messageWith(bob.page, 'a newer one').getByRole('button', { name: `React with 🎉 (1: ${alice.name})` })).toHaveText('🎉 1');
});

test('at phone width a touch on a message shows its actions, and they work', async ({ newPerson }) => {
  const room = unique('phoneedit');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await bob.page.setViewportSize({ width: 375, height: 740 });
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'from a laptop');
  await say(bob.page, room, 'from a phone, with a typo');

  const alices = messageWith(bob.page, 'from a laptop');
  await alices.click();
  const add = alices.getByRole('button', { name: 'Add reaction' });
  await expect(add).toBeVisible();
  await add.click();
  const palette = alices.getByRole('menu', { name: 'Choose a reaction' });
  const box = await palette.boundingBox();
  expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(375);
  await palette.getByRole('menuitemcheckbox', { name: 'React with ❤️' }).click();
  await expect(messageWith(alice.page, 'from a laptop').getByRole('button', { name: `React with ❤️ (1: ${bob.name})` })).toBeVisible();

  const mine = await pinned(messageWith(bob.page, 'from a phone'));
  await mine.click();
  await mine.getByRole('button', { name: 'Edit message' }).click();
  const editor = mine.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('from a phone, fixed');
  await mine.getByRole('button', { name: 'Save' }).click();
  await expect(messageWith(alice.page, 'from a phone, fixed')).toContainText('(edited)');

  const overflow = await bob.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
