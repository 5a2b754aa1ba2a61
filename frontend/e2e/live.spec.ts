/** What is live besides messages: who is typing, and how far each person has read. */
import type { Page } from '@playwright/test';
import { conversation, conversationLink, enterRoom, expect, messageBox, messages, roomLink, say, test, unique } from './fixtures';

function typing(page: Page) {
  return page.getByTestId('typing-indicator');
}

test('people see each other typing, until the message comes or they stop', async ({ newPerson }) => {
  const room = unique('typing');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  const carol = await newPerson('carol');
  for (const person of [alice, bob, carol]) await enterRoom(person.page, room);

  // Typing frames go out at most once every 2 s, however fast the keys.
  let typingFrames = 0;
  bob.page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (String(payload).includes('"typing"')) typingFrames += 1;
    }),
  );
  await bob.page.reload();
  await expect(bob.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');

  await messageBox(bob.page, room).pressSequentially('hello every', { delay: 40 });
  await expect(typing(alice.page)).toHaveText(`${bob.name} is typing…`);
  await expect(typing(bob.page)).toHaveText('');
  await messageBox(carol.page, room).pressSequentially('me too');
  await expect(typing(alice.page)).toHaveText(`${bob.name} and ${carol.name} are typing…`);
  expect(typingFrames).toBe(1);

  // Bob's message arrives: he is no longer typing, at once; carol stops and fades after ~5 s.
  await messageBox(bob.page, room).press('Enter');
  await expect(messages(alice.page).filter({ hasText: 'hello every' })).toHaveCount(1);
  await expect(typing(alice.page)).toHaveText(`${carol.name} is typing…`);
  await expect(typing(alice.page)).toHaveText('', { timeout: 8_000 });

  // My own other tab typing is no news to me.
  const aliceAgain = await alice.context.newPage();
  await aliceAgain.goto(`/rooms/${room}`);
  await expect(aliceAgain.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await messageBox(aliceAgain, room).pressSequentially('from my other tab');
  await expect(typing(bob.page)).toHaveText(`${alice.name} is typing…`);
  await expect(typing(alice.page)).toHaveText('');
});

test('unread badges and the title count what is unread, go to zero when read, and every tab follows', async ({
  newPerson,
}) => {
  const [here, elsewhere] = [unique('here'), unique('elsewhere')];
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, elsewhere);
  await say(alice.page, elsewhere, 'welcome');
  // Bob reads in #elsewhere once: from then on its unread messages count for him (a room never
  // read in counts nothing; the shared server's other rooms are full of messages bob never read).
  await enterRoom(bob.page, elsewhere);
  await expect(messages(bob.page).filter({ hasText: 'welcome' })).toBeVisible();
  await expect(roomLink(bob.page, elsewhere)).toHaveAccessibleName(elsewhere);
  await bob.page.waitForTimeout(500);
  await enterRoom(bob.page, here);
  const bobsOtherTab = await bob.context.newPage();
  await bobsOtherTab.goto(`/rooms/${here}`);
  await expect(bobsOtherTab.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');

  // While bob is in another room: two messages in #elsewhere, and one privately.
  await say(alice.page, elsewhere, 'first while you were away');
  await say(alice.page, elsewhere, 'second while you were away');
  await say(alice.page, elsewhere, `/pm ${bob.name} are you there?`);
  for (const page of [bob.page, bobsOtherTab]) {
    // Rooms that are not open are counted by the server: on focus, reconnect, or within 10 s.
    await expect(roomLink(page, elsewhere)).toHaveAccessibleName(`${elsewhere}, 2 unread`, { timeout: 20_000 });
    await expect(conversationLink(page, alice.name)).toHaveAccessibleName(`${alice.name}, 1 unread`);
    await expect(page).toHaveTitle('(3) Chat');
  }

  // Bob opens the room: read, and his other tab follows.
  await roomLink(bob.page, elsewhere).click();
  await expect(messages(bob.page).filter({ hasText: 'second while you were away' })).toBeVisible();
  for (const page of [bob.page, bobsOtherTab]) {
    await expect(roomLink(page, elsewhere)).toHaveAccessibleName(elsewhere);
    await expect(page).toHaveTitle('(1) Chat');
  }

  // A new message in the open room, seen at once: it never counts.
  await say(alice.page, elsewhere, 'and now you are here');
  await expect(messages(bob.page).filter({ hasText: 'and now you are here' })).toBeVisible();
  await expect(roomLink(bob.page, elsewhere)).toHaveAccessibleName(elsewhere);

  // Bob opens the conversation: read, in both tabs.
  await conversationLink(bob.page, alice.name).click();
  await expect(conversation(bob.page).getByTestId('message').filter({ hasText: 'are you there?' })).toBeVisible();
  for (const page of [bob.page, bobsOtherTab]) {
    await expect(conversationLink(page, alice.name)).toHaveAccessibleName(alice.name);
    await expect(page).toHaveTitle('Chat');
  }

  // And it sticks: a reload counts nothing unread.
  await bobsOtherTab.reload();
  await expect(conversationLink(bobsOtherTab, alice.name)).toHaveAccessibleName(alice.name);
  await expect(roomLink(bobsOtherTab, elsewhere)).toHaveAccessibleName(elsewhere);
  await expect(bobsOtherTab).toHaveTitle('Chat');
});
