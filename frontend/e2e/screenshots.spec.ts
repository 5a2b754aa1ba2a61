import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { FRONTEND_DIR } from './backend';
import { enterRoom, expect, messages, onlineList, say, test } from './fixtures';

const OUT = join(FRONTEND_DIR, '..', 'docs', 'screenshots');

async function shot(page: Page, name: string): Promise<void> {
  // Blur whatever has focus so no caret or focus ring is frozen into the picture by chance.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

test('screenshots of the main screens', async ({ newPerson, backend }) => {
  test.setTimeout(120_000);
  const room = 'lobby';
  const alice = await newPerson('alice', { exactName: true });
  const bob = await newPerson('bob', { exactName: true });
  const carol = await newPerson('carol', { exactName: true });

  const guest = await newPerson('guest', { signUp: false });
  await guest.page.goto('/login');
  await guest.page.getByLabel('Username').fill('alice');
  await shot(guest.page, 'login');

  await enterRoom(alice.page, room);
  await enterRoom(bob.page, room);
  await enterRoom(carol.page, 'random');
  await enterRoom(carol.page, room);
  await say(alice.page, room, 'Morning all! Standup in 10 minutes.');
  await say(bob.page, room, 'On my way. Can someone share the notes from Friday?');
  await say(carol.page, room, 'Here: https://example.com/notes (read-only)');
  await say(alice.page, room, '<b>This stays text</b>, no HTML from a message ever reaches the page.');
  await say(bob.page, room, `/pm ${alice.name} Can we move our 1:1 to 3pm?`);
  await expect(messages(alice.page)).toHaveCount(5);
  await expect(onlineList(alice.page).getByRole('button')).toHaveCount(2);
  await shot(alice.page, 'room');

  await alice.page.goto('/');
  await expect(alice.page.getByText('2 online').first()).toBeVisible();
  await shot(alice.page, 'room-list');

  await enterRoom(alice.page, room);
  await onlineList(alice.page).getByRole('button', { name: new RegExp(bob.name) }).click();
  const box = alice.page.getByRole('textbox', { name: `Private message to ${bob.name}`, exact: true });
  await box.fill('Sure, 3pm works.');
  await box.press('Enter');
  await expect(alice.page.getByTestId('conversation').getByTestId('message')).toHaveCount(2);
  await shot(alice.page, 'private-conversation');

  await bob.page.setViewportSize({ width: 375, height: 740 });
  await bob.page.reload();
  await expect(messages(bob.page).first()).toBeVisible();
  await shot(bob.page, 'phone');

  await backend.stop('SIGKILL');
  await expect(carol.page.getByTestId('connection-status')).toContainText('Reconnecting');
  await say(carol.page, room, 'Is the server down?');
  await expect(carol.page.getByTestId('pending-message')).toBeVisible();
  await shot(carol.page, 'reconnecting');
  await backend.start();
  await expect(carol.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
});
