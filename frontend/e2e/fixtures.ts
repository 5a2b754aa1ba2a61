import { test as base, expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { Backend } from './backend';

export { expect };

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

type WorkerFixtures = {
  backend: Backend;
  /** Settings for the worker's server on top of the suite's: `test.use({ backendEnv })` in a file. */
  backendEnv: NodeJS.ProcessEnv;
};
interface PersonOptions {
  signUp?: boolean;
  /** Use the name as given instead of making it unique (screenshots on a fresh database). */
  exactName?: boolean;
}
type TestFixtures = { newPerson: (prefix: string, options?: PersonOptions) => Promise<Person> };

let counter = 0;
/** Unique per run, so tests never trip over each other's users and rooms. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

export const PASSWORD = 'correct horse battery 42';

export const test = base.extend<TestFixtures, WorkerFixtures>({
  backendEnv: [{}, { scope: 'worker', option: true }],
  backend: [
    async ({ backendEnv }, use) => {
      const backend = new Backend(backendEnv);
      await backend.start();
      await use(backend);
      await backend.dispose();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ backend }, use) => {
    await use(backend.url);
  },
  newPerson: async ({ browser, baseURL }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (prefix, { signUp = true, exactName = false } = {}) => {
      const person = await openPerson(browser, baseURL as string, exactName ? prefix : unique(prefix));
      opened.push(person.context);
      if (signUp) await signUpThroughUi(person);
      return person;
    });
    await Promise.all(opened.map((context) => context.close()));
  },
});

async function openPerson(browser: Browser, baseURL: string, name: string): Promise<Person> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message));
  return { name, context, page };
}

export async function signUpThroughUi({ page, name }: Person): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByTestId('whoami')).toHaveText(name);
}

/** Enter (and so create) a room through the form on the home page. */
export async function enterRoom(page: Page, room: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('main').getByLabel(/Join or create a room|Open a room/).fill(room);
  await page.getByRole('main').getByRole('button', { name: /^(Go|Open)$/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: `#${room}` })).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
}

export function messageBox(page: Page, room: string) {
  return page.getByLabel(`Message to #${room}`);
}

export async function say(page: Page, room: string, text: string): Promise<void> {
  const box = messageBox(page, room);
  await box.fill(text);
  await box.press('Enter');
}

export function messages(page: Page) {
  return page.getByTestId('message');
}

/** The message whose text holds `text`. */
export function messageWith(page: Page, text: string) {
  return messages(page).filter({ hasText: text });
}

/** One of a message's actions, shown once the pointer is on the message. */
export async function messageAction(message: Locator, name: 'Add reaction' | 'Edit message' | 'Delete message'): Promise<Locator> {
  await message.hover();
  return message.getByRole('button', { name, exact: true });
}

/**
 * The same message, found by its id rather than its text: the text goes away while it is being
 * edited (it is in the editor, not in the page's text) and changes after.
 */
export async function pinned(message: Locator): Promise<Locator> {
  const id = await message.getAttribute('data-id');
  return message.page().locator(`[data-testid="message"][data-id="${id}"]`);
}

/** Edit a message in place, by mouse, and wait for the editor to close. */
export async function editMessage(message: Locator, text: string): Promise<void> {
  const same = await pinned(message);
  await (await messageAction(same, 'Edit message')).click();
  const editor = same.getByRole('textbox', { name: 'Edit message' });
  await editor.fill(text);
  await editor.press('Enter');
  await expect(editor).toHaveCount(0);
}

/** React to a message with `emoji` from the palette, by mouse. */
export async function reactTo(message: Locator, emoji: string): Promise<void> {
  await (await messageAction(message, 'Add reaction')).click();
  await message.getByRole('menuitemcheckbox', { name: `React with ${emoji}` }).click();
}

export function onlineList(page: Page) {
  return page.getByRole('region', { name: /Online/ });
}

export function sidebar(page: Page) {
  return page.getByRole('navigation', { name: 'Rooms and private messages' });
}

/** The sidebar's link to a room, by its accessible name ("lobby", "lobby, 2 unread"). */
export function roomLink(page: Page, room: string) {
  return sidebar(page).getByTestId('room-link').filter({ has: page.locator('.sidebar-name', { hasText: new RegExp(`^${room}$`) }) });
}

export function conversationLink(page: Page, peer: string) {
  return sidebar(page).getByTestId('conversation-link').filter({ has: page.locator('.sidebar-name', { hasText: new RegExp(`^${peer}$`) }) });
}

/** The private conversation on screen. */
export function conversation(page: Page) {
  return page.getByTestId('conversation');
}

/** Every path the app's own router went to (pushState and replaceState), from the next load on. */
export async function recordPaths(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const paths: string[] = [];
    (window as unknown as { __paths: string[] }).__paths = paths;
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = history[name].bind(history);
      history[name] = (data: unknown, unused: string, url?: string | URL | null) => {
        if (url != null) paths.push(new URL(String(url), location.href).pathname);
        original(data, unused, url);
      };
    }
  });
  return () => page.evaluate(() => (window as unknown as { __paths: string[] }).__paths);
}
