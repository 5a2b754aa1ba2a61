import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
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

/** Enter (and so create) a room through the form on the room list. */
export async function enterRoom(page: Page, room: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel(/Enter a room|Open a room/).fill(room);
  await page.getByRole('button', { name: 'Enter' }).click();
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

export function onlineList(page: Page) {
  return page.getByRole('region', { name: /Online/ });
}
