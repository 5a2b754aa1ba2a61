/**
 * Access tokens that live 8 seconds, against a server that closes a socket (4401) when its
 * credential expires: the conversation goes on only because the client renews the credential on
 * the open socket (`authenticate`) before each token runs out. Nobody may notice.
 */
import { enterRoom, expect, messages, say, test, unique, type Person } from './fixtures';

const LIFETIME_S = 8;
test.use({ backendEnv: { ACCESS_TOKEN_LIFETIME: String(LIFETIME_S) } });

/** Counts the sockets a page opens and the authenticate frames it sends on them. */
function watchSockets(person: Person) {
  const seen = { sockets: 0, authenticates: 0 };
  person.page.on('websocket', (socket) => {
    seen.sockets += 1;
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string' && JSON.parse(payload).type === 'authenticate') seen.authenticates += 1;
    });
  });
  return seen;
}

/** Records every connection state the page shows from now on. */
async function recordConnectionStates(person: Person): Promise<() => Promise<string[]>> {
  await person.page.evaluate(() => {
    const banner = document.querySelector('[data-testid="connection-status"]') as HTMLElement;
    const states: string[] = [];
    (window as unknown as { __states: string[] }).__states = states;
    new MutationObserver(() => states.push(banner.dataset.status ?? '')).observe(banner, {
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
  return () => person.page.evaluate(() => (window as unknown as { __states: string[] }).__states);
}

test('two people chat for longer than two token lifetimes, with no reconnect and nothing lost', async ({ newPerson }) => {
  test.setTimeout(120_000);
  const room = unique('renewal');
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  const people = [alice, bob] as const;
  const watched = people.map(watchSockets);
  for (const person of people) await enterRoom(person.page, room);
  const states = await Promise.all(people.map(recordConnectionStates));

  const sent: string[] = [];
  const until = Date.now() + (2 * LIFETIME_S + 4) * 1_000;
  for (let i = 0; Date.now() < until; i += 1) {
    const [from, to] = i % 2 === 0 ? people : [bob, alice];
    const text = `#${i} from ${from.name}`;
    await say(from.page, room, text);
    sent.push(text);
    await expect(messages(to.page).filter({ hasText: text })).toHaveCount(1);
    await from.page.waitForTimeout(500);
  }

  for (const [index, person] of people.entries()) {
    await expect(messages(person.page)).toHaveCount(sent.length);
    for (const text of sent) await expect(messages(person.page).filter({ hasText: text })).toHaveCount(1);
    await expect(person.page.getByTestId('pending-message')).toHaveCount(0);
    expect(await states[index]?.()).toEqual([]);
    expect(watched[index]?.sockets).toBe(1);
    expect(watched[index]?.authenticates).toBeGreaterThanOrEqual(2);
  }
});
