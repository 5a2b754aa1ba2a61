import type { WebSocketRoute } from '@playwright/test';
import {
  conversation,
  conversationLink,
  enterRoom,
  expect,
  messageBox,
  messages,
  onlineList,
  recordPaths,
  roomLink,
  say,
  sidebar,
  test,
  unique,
} from './fixtures';

test('two people chat: join, messages, a private message kept out of the room, leave', async ({ newPerson }) => {
  const room = unique('lobby');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');

  await enterRoom(alice.page, room);
  await expect(onlineList(alice.page).getByText(alice.name)).toBeVisible();
  await enterRoom(bob.page, room);

  // Each sees the other join.
  await expect(onlineList(alice.page).getByRole('button', { name: `Send a private message to ${bob.name}` })).toBeVisible();
  await expect(onlineList(bob.page).getByRole('button', { name: `Send a private message to ${alice.name}` })).toBeVisible();

  await say(alice.page, room, 'hello bob');
  await expect(messages(bob.page).filter({ hasText: 'hello bob' })).toContainText(alice.name);
  await say(bob.page, room, 'hi alice');
  await expect(messages(alice.page).filter({ hasText: 'hi alice' })).toContainText(bob.name);
  await expect(messages(alice.page)).toHaveCount(2);
  await expect(messages(bob.page)).toHaveCount(2);

  // A private message from the online list, in a conversation of its own for alice...
  await onlineList(alice.page).getByRole('button', { name: `Send a private message to ${bob.name}` }).click();
  await expect(conversation(alice.page).getByRole('heading', { name: `Private conversation with ${bob.name}` })).toBeFocused();
  const privateBox = alice.page.getByRole('textbox', { name: `Private message to ${bob.name}`, exact: true });
  await privateBox.fill('just between us');
  await privateBox.press('Enter');
  await expect(conversation(alice.page).getByTestId('message').filter({ hasText: 'just between us' })).toHaveCount(1);

  // ...and for bob, who stays in the room: a toast and an unread badge, nothing in the room.
  await expect(bob.page.getByTestId('private-toast')).toContainText(`Private message from ${alice.name}`);
  await expect(conversationLink(bob.page, alice.name)).toHaveAccessibleName(`${alice.name}, 1 unread`);
  await expect(messages(bob.page).filter({ hasText: 'just between us' })).toHaveCount(0);

  // Bob answers with the tutorial's shortcut, from the room's box: private, so not in the room.
  await say(bob.page, room, `/pm ${alice.name} see you at 5`);
  await expect(conversation(alice.page).getByTestId('message').filter({ hasText: 'see you at 5' })).toContainText(bob.name);
  await expect(bob.page.getByTestId('private-toast')).toContainText(`Sent privately to ${alice.name}`);
  await expect(messages(bob.page).filter({ hasText: 'see you at 5' })).toHaveCount(0);
  await expect(messageBox(bob.page, room)).toHaveValue('');

  // What a reload shows is what was shown live: the conversation, kept by the server.
  await alice.page.reload();
  await expect(conversation(alice.page).getByTestId('message')).toHaveCount(2);
  await bob.page.reload();
  await expect(messages(bob.page)).toHaveCount(2);
  await conversationLink(bob.page, alice.name).click();
  await expect(conversation(bob.page).getByTestId('message')).toHaveCount(2);

  // Back to the room through the sidebar; bob leaves, and alice sees it.
  await roomLink(alice.page, room).click();
  await expect(alice.page.getByRole('heading', { level: 1, name: `#${room}` })).toBeFocused();
  await expect(onlineList(alice.page).getByText(bob.name)).toBeVisible();
  await bob.page.goto('/');
  await expect(onlineList(alice.page).getByText(bob.name)).toHaveCount(0);
});

test('no message is lost when the server restarts mid-conversation', async ({ newPerson, backend }) => {
  const room = unique('restart');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await say(alice.page, room, 'before the restart');
  await expect(messages(bob.page).filter({ hasText: 'before the restart' })).toHaveCount(1);
  await say(alice.page, room, `/pm ${bob.name} a private note`);
  const bobsUnread = (count: number) => expect(conversationLink(bob.page, alice.name)).toHaveAccessibleName(`${alice.name}, ${count} unread`);
  await bobsUnread(1);

  // Bob's reconnects are held back after the restart, so that he misses live messages and has
  // to get them through the resume (`after=`).
  let holdBob = true;
  await bob.page.route('**/api/auth/ws-ticket/', (route) => (holdBob ? route.abort('connectionrefused') : route.continue()));
  const bobSockets: string[] = [];
  bob.page.on('websocket', (socket) => bobSockets.push(socket.url()));

  await backend.stop('SIGKILL');
  for (const person of [alice, bob]) {
    await expect(person.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'reconnecting');
    await expect(person.page.getByTestId('connection-status')).toContainText('Reconnecting');
  }

  // Typed while offline: queued, shown as waiting, sent once when the connection is back.
  await say(alice.page, room, 'typed while the server was down');
  await expect(alice.page.getByTestId('pending-message')).toContainText('waiting for connection');

  await backend.start();
  await expect(alice.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
  await expect(messages(alice.page).filter({ hasText: 'typed while the server was down' })).toHaveCount(1);
  await expect(alice.page.getByTestId('pending-message')).toHaveCount(0);
  await say(alice.page, room, 'sent while bob was away');
  await expect(messages(alice.page).filter({ hasText: 'sent while bob was away' })).toHaveCount(1);
  // Private messages are not replayed by the socket's resume; the client catches up over REST.
  for (const text of ['missed privately 1', 'missed privately 2']) {
    await say(alice.page, room, `/pm ${bob.name} ${text}`);
    await expect(alice.page.getByTestId('private-toast')).toContainText('Sent privately');
    await alice.page.getByTestId('private-toast').getByRole('button', { name: 'Dismiss' }).click();
  }

  holdBob = false;
  await expect(bob.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
  for (const text of ['before the restart', 'typed while the server was down', 'sent while bob was away']) {
    await expect(messages(bob.page).filter({ hasText: text })).toHaveCount(1);
    await expect(messages(alice.page).filter({ hasText: text })).toHaveCount(1);
  }
  expect(bobSockets.at(-1)).toMatch(/[?&]after=\d+/);
  // Both missed private messages counted as unread, and there, once each.
  await bobsUnread(3);
  await conversationLink(bob.page, alice.name).click();
  for (const text of ['a private note', 'missed privately 1', 'missed privately 2']) {
    await expect(conversation(bob.page).getByTestId('message').filter({ hasText: text })).toHaveCount(1);
  }
  await roomLink(bob.page, room).click();

  // Still live in both directions afterwards.
  await say(bob.page, room, 'back again');
  await expect(messages(alice.page).filter({ hasText: 'back again' })).toHaveCount(1);
});

test('message text is always shown as text, never as HTML', async ({ newPerson }) => {
  const room = unique('xss');
  const mallory = await newPerson('mallory');
  const alice = await newPerson('alice');
  await enterRoom(mallory.page, room);
  await enterRoom(alice.page, room);

  const payloads = [
    '<img src=x onerror="window.__xss = 1">',
    '<script>window.__xss = 2</script>',
    '<a href="javascript:window.__xss=3">click</a> <b>bold</b>',
  ];
  for (const payload of payloads) await say(mallory.page, room, payload);

  for (const page of [alice.page, mallory.page]) {
    for (const payload of payloads) await expect(messages(page).filter({ hasText: payload })).toHaveCount(1);
    await expect(page.locator('.messages img, .messages script, .messages b, .messages a')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  }
});

test('a message over the limit cannot be sent, and a refused one stays in the box', async ({ newPerson }) => {
  const room = unique('limits');
  const alice = await newPerson('alice');
  await enterRoom(alice.page, room);
  const box = messageBox(alice.page, room);
  const send = alice.page.getByRole('button', { name: 'Send' });
  const counter = alice.page.getByTestId('composer-counter');
  const tooLong = 'x'.repeat(4001);

  // The limit the server states (GET /api/limits/): Send is disabled past it, a counter says why.
  await box.fill('x'.repeat(3700));
  await expect(counter).toBeVisible();
  await expect(counter).toHaveText('3,700 / 4,000 characters');
  await box.fill(tooLong);
  await expect(send).toBeDisabled();
  await expect(counter).toHaveText('4,001 / 4,000 characters: 1 too many');
  await box.press('Enter');
  await expect(box).toHaveValue(tooLong);
  await expect(alice.page.getByTestId('pending-message')).toHaveCount(0);
  await box.press('Backspace');
  await expect(send).toBeEnabled();

  // Without the limit known (the request fails), the server refuses it: the text comes back.
  const bob = await newPerson('bob');
  await bob.page.route('**/api/limits/', (route) => route.abort('connectionrefused'));
  await enterRoom(bob.page, room);
  const bobsBox = messageBox(bob.page, room);
  await say(bob.page, room, tooLong);
  const error = bob.page.getByTestId('composer-error');
  await expect(error).toHaveText('Messages are limited to 4000 characters.');
  await expect(bobsBox).toHaveValue(tooLong);
  await expect(bobsBox).toHaveAttribute('aria-invalid', 'true');

  // A private message to nobody: refused by the server, back in the box to fix.
  await say(bob.page, room, '/pm nobody-by-this-name hello');
  await expect(error).toContainText('nobody-by-this-name');
  await expect(bobsBox).toHaveValue('/pm nobody-by-this-name hello');
  await expect(messages(bob.page)).toHaveCount(0);
});

test('the /pm shortcut: what the sender sees as private reaches only its recipient', async ({ newPerson }) => {
  const room = unique('pm');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  const carol = await newPerson('carol');
  const framesSent: { type?: string; message?: string }[] = [];
  alice.page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => framesSent.push(JSON.parse(String(payload)))),
  );
  for (const person of [alice, bob, carol]) await enterRoom(person.page, room);
  await expect(onlineList(carol.page).getByRole('button', { name: `Send a private message to ${alice.name}` })).toBeVisible();

  // White space before the command, a tab, capitals, new lines: all private, by the server's rule too.
  const privately = {
    [` /pm ${bob.name} after a space`]: 'after a space',
    [`/pm\t${bob.name} after a tab`]: 'after a tab',
    [`/PM ${bob.name} in capitals`]: 'in capitals',
    [`\n/pm ${bob.name}\nover two lines`]: 'over two lines',
  };
  for (const typed of Object.keys(privately)) await say(alice.page, room, typed);
  // Not a command: a room message, for everyone. Carol's room stream is in order, so had any of the
  // above been posted to the room, she would have it by now.
  await say(alice.page, room, '/pmnobody for everyone');
  await expect(messages(carol.page).filter({ hasText: 'for everyone' })).toHaveCount(1);
  await expect(messages(carol.page)).toHaveCount(1);
  await expect(messages(bob.page)).toHaveCount(1);
  await expect(messages(alice.page)).toHaveCount(1);
  // Whatever shows as private went out as a private_message frame: no server rule decides it.
  const chatFrames = framesSent.filter((frame) => frame.type === 'chat_message').map((frame) => frame.message);
  expect(chatFrames).toEqual(['/pmnobody for everyone']);

  // A command without a text: refused before sending, and the text stays in the box to fix.
  await say(alice.page, room, `/pm ${bob.name}`);
  await expect(alice.page.getByTestId('composer-error')).toHaveText('Write /pm USERNAME MESSAGE.');
  await expect(messageBox(alice.page, room)).toHaveValue(`/pm ${bob.name}`);
  await expect(alice.page.getByTestId('pending-message')).toHaveCount(0);

  // Both have the four in their conversation, and only there.
  for (const [person, other] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await conversationLink(person.page, other.name).click();
    for (const text of Object.values(privately)) {
      await expect(conversation(person.page).getByTestId('message').filter({ hasText: text })).toHaveCount(1);
    }
    await expect(conversation(person.page).getByTestId('message')).toHaveCount(4);
  }
});

test('a room taken away takes the person out of it; too many tabs is said, and retried slowly', async ({
  newPerson,
}) => {
  const room = unique('closes');
  const alice = await newPerson('alice');
  // A proxy in front of the real server closes alice's socket the way the server would.
  const sockets: WebSocketRoute[] = [];
  await alice.page.routeWebSocket(/\/ws\/chat\//, (socket) => {
    socket.connectToServer();
    sockets.push(socket);
  });
  await enterRoom(alice.page, room);
  const status = alice.page.getByTestId('connection-status');

  sockets.at(-1)?.close({ code: 4429, reason: 'Too many sockets.' });
  await expect(status).toContainText('Too many open tabs or connections');
  await expect(status).toContainText(/next try in \d+ s/);
  await alice.page.waitForTimeout(5_000);
  expect(sockets).toHaveLength(1);
  // Another tab closed, the person retries at once.
  await status.getByRole('button', { name: 'Retry now' }).click();
  await expect(status).toHaveAttribute('data-status', 'open');
  expect(sockets).toHaveLength(2);

  sockets.at(-1)?.close({ code: 4403, reason: 'This room is for staff only.' });
  await expect(alice.page.getByTestId('lost-access')).toHaveText(`You no longer have access to #${room}.`);
  await expect(alice.page.getByRole('heading', { level: 1 })).toHaveText(`Hello, ${alice.name}`);
  await alice.page.waitForTimeout(2_000);
  expect(sockets).toHaveLength(2);
});

test('anonymous visitors read public rooms and are asked to log in to write', async ({ newPerson }) => {
  const room = unique('public');
  const alice = await newPerson('alice');
  await enterRoom(alice.page, room);
  await say(alice.page, room, 'welcome, readers');

  const guest = await newPerson('guest', { signUp: false });
  await guest.page.goto(`/rooms/${room}`);
  await expect(messages(guest.page).filter({ hasText: 'welcome, readers' })).toBeVisible();
  await expect(guest.page.getByTestId('login-notice')).toContainText('Log in');
  await expect(guest.page.getByRole('textbox')).toHaveCount(0);

  // Live messages reach the guest too.
  await say(alice.page, room, 'still here?');
  await expect(messages(guest.page).filter({ hasText: 'still here?' })).toBeVisible();

  // A room that does not exist cannot be created by a guest.
  await guest.page.goto(`/rooms/${unique('nothere')}`);
  await expect(guest.page.getByRole('alert')).toContainText('Log in to create it');
});

test('the session survives a reload and an expired access token is refreshed silently', async ({ newPerson }) => {
  const room = unique('session');
  const alice = await newPerson('alice');
  await alice.page.reload();
  await expect(alice.page.getByTestId('whoami')).toHaveText(alice.name);

  // The suite's server issues 20-second access tokens: wait one out, then use the app.
  const refreshes: string[] = [];
  alice.page.on('request', (request) => {
    if (request.url().includes('/api/auth/token/refresh/')) refreshes.push(request.url());
  });
  await alice.page.waitForTimeout(21_000);
  await enterRoom(alice.page, room);
  await say(alice.page, room, 'still logged in');
  await expect(messages(alice.page).filter({ hasText: 'still logged in' })).toHaveCount(1);
  expect(refreshes.length).toBeGreaterThanOrEqual(1);

  await alice.page.getByRole('button', { name: 'Log out' }).click();
  await expect(alice.page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await alice.page.reload();
  await expect(alice.page.getByRole('link', { name: 'Log in' })).toBeVisible();
});

test('switching rooms goes through the sidebar, never back to the home page', async ({ newPerson }) => {
  const [first, second] = [unique('first'), unique('second')];
  const alice = await newPerson('alice');
  await enterRoom(alice.page, first);
  const paths = await recordPaths(alice.page);
  await alice.page.reload();

  // A new room from the sidebar's form.
  await sidebar(alice.page).getByRole('button', { name: 'Join or create a room' }).click();
  await expect(sidebar(alice.page).getByLabel('Join or create a room')).toBeFocused();
  await alice.page.keyboard.type(second);
  await alice.page.keyboard.press('Enter');
  await expect(alice.page.getByRole('heading', { level: 1, name: `#${second}` })).toBeFocused();
  await expect(roomLink(alice.page, second)).toHaveAttribute('aria-current', 'page');
  await say(alice.page, second, 'in the second room');

  // Back and forth by the sidebar's links.
  await roomLink(alice.page, first).click();
  await expect(alice.page.getByRole('heading', { level: 1, name: `#${first}` })).toBeFocused();
  await expect(messages(alice.page).filter({ hasText: 'in the second room' })).toHaveCount(0);
  await roomLink(alice.page, second).click();
  await expect(messages(alice.page).filter({ hasText: 'in the second room' })).toHaveCount(1);
  expect(await paths()).toEqual([`/rooms/${second}`, `/rooms/${first}`, `/rooms/${second}`]);
});

test('at phone width the sidebar is a drawer, driven by keyboard, and the timeline has the screen', async ({ newPerson }) => {
  const [room, other] = [unique('phone'), unique('phoneother')];
  const alice = await newPerson('alice');
  await enterRoom(alice.page, other);
  await enterRoom(alice.page, room);

  const bob = await newPerson('bob');
  await bob.page.setViewportSize({ width: 375, height: 740 });
  await bob.page.goto('/');
  await expect(bob.page.getByRole('main').getByRole('link', { name: new RegExp(`#${room}`) })).toContainText('1 online');

  // Keyboard only: the home page's form, type, Enter; then write with Enter.
  await bob.page.getByRole('main').getByLabel('Join or create a room').focus();
  await bob.page.keyboard.type(room);
  await bob.page.keyboard.press('Enter');
  await expect(bob.page.getByRole('heading', { level: 1, name: `#${room}` })).toBeFocused();
  await messageBox(bob.page, room).focus();
  await bob.page.keyboard.type('typed on a phone');
  await bob.page.keyboard.press('Enter');
  await expect(messages(alice.page).filter({ hasText: 'typed on a phone' })).toHaveCount(1);

  // The drawer is closed: the timeline has most of the screen; people are one toggle away.
  const menu = bob.page.getByRole('button', { name: /^Menu/ });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(sidebar(bob.page)).toBeHidden();
  const scroller = await bob.page.getByLabel(`Messages in #${room}`).first().boundingBox();
  expect(scroller?.height ?? 0).toBeGreaterThan(740 * 0.6);
  const people = bob.page.getByRole('button', { name: /^People/ });
  await expect(people).toHaveAttribute('aria-expanded', 'false');
  await people.press('Enter');
  const alicesButton = onlineList(bob.page).getByRole('button', { name: `Send a private message to ${alice.name}` });
  await expect(alicesButton).toBeVisible();
  await alicesButton.focus();
  await bob.page.keyboard.press('Escape');
  await expect(people).toBeFocused();
  await expect(onlineList(bob.page)).toBeHidden();

  // Open the drawer: focus goes to where bob is; Escape closes it and gives the focus back.
  await menu.focus();
  await bob.page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(roomLink(bob.page, room)).toBeFocused();
  await bob.page.keyboard.press('Escape');
  await expect(sidebar(bob.page)).toBeHidden();
  await expect(menu).toBeFocused();

  // A click beside it closes it too.
  await bob.page.keyboard.press('Enter');
  await expect(sidebar(bob.page)).toBeVisible();
  await bob.page.getByTestId('drawer-backdrop').click({ position: { x: 360, y: 400 } });
  await expect(sidebar(bob.page)).toBeHidden();

  // Another room, from the drawer, by keyboard: the drawer closes, focus is on the new room.
  await menu.focus();
  await bob.page.keyboard.press('Enter');
  await roomLink(bob.page, other).focus();
  await bob.page.keyboard.press('Enter');
  await expect(bob.page.getByRole('heading', { level: 1, name: `#${other}` })).toBeFocused();
  await expect(sidebar(bob.page)).toBeHidden();

  const overflow = await bob.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('recent history on entering, older history when scrolling up', async ({ newPerson }) => {
  const room = unique('history');
  const alice = await newPerson('alice');
  await enterRoom(alice.page, room);
  for (let i = 1; i <= 15; i += 1) {
    await say(alice.page, room, `numbered ${i}`);
    await expect(messages(alice.page).filter({ hasText: new RegExp(`^.*numbered ${i}$`) })).toHaveCount(1);
  }

  const bob = await newPerson('bob');
  // A short window, so that 10 messages do not fit and there is something to scroll.
  await bob.page.setViewportSize({ width: 900, height: 380 });
  await enterRoom(bob.page, room);
  // The socket's greeting carries the latest 10 (HISTORY_SIZE).
  await expect(messages(bob.page)).toHaveCount(10);
  await expect(messages(bob.page).first()).toContainText('numbered 6');
  await bob.page.getByLabel(`Messages in #${room}`).first().evaluate((element) => element.scrollTo(0, 0));
  await expect(messages(bob.page)).toHaveCount(15);
  await expect(messages(bob.page).first()).toContainText('numbered 1');
  await expect(bob.page.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
});
