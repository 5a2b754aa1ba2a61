/**
 * A client hosted apart from the API: built with VITE_API_BASE_URL, served from another origin,
 * talking to a backend that allows that origin (CORS_ALLOWED_ORIGINS).
 */
import { spawn } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Backend, FRONTEND_DIR, freePort } from './backend';
import { PASSWORD, expect, test, unique } from './fixtures';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

function buildClient(outDir: string, apiBaseUrl: string): Promise<void> {
  return new Promise((done, fail) => {
    const vite = join(FRONTEND_DIR, 'node_modules', '.bin', 'vite');
    const child = spawn(vite, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: FRONTEND_DIR,
      env: { ...process.env, VITE_API_BASE_URL: apiBaseUrl },
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`vite build failed (${code})`))));
  });
}

/** A static file server with the single-page fallback, like any CDN set up for an SPA. */
function serveStatic(dir: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = join(dir, path);
    const found = path !== '/' && file.startsWith(dir) && existsSync(file) ? file : join(dir, 'index.html');
    response.writeHead(200, { 'Content-Type': TYPES[extname(found)] ?? 'application/octet-stream' });
    response.end(readFileSync(found));
  });
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(server)));
}

test('a client built with VITE_API_BASE_URL works from another origin', async ({ browser }) => {
  const appPort = await freePort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const backend = new Backend({ CORS_ALLOWED_ORIGINS: appOrigin });
  const outDir = mkdtempSync(join(tmpdir(), 'chat-cross-origin-'));
  let server: Server | null = null;
  try {
    await backend.start();
    expect(new URL(backend.url).origin).not.toBe(appOrigin);
    await buildClient(outDir, backend.url);
    server = await serveStatic(outDir, appPort);

    const context = await browser.newContext({ baseURL: appOrigin });
    const page = await context.newPage();
    const apiOrigins = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) apiOrigins.add(url.origin);
    });
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));

    const name = unique('remote');
    await page.goto('/signup');
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByTestId('whoami')).toHaveText(name);

    const room = unique('remote');
    await page.getByRole('main').getByLabel('Join or create a room').fill(room);
    await page.getByRole('main').getByRole('button', { name: 'Go' }).click();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
    const box = page.getByLabel(`Message to #${room}`);
    await box.fill('across origins');
    await box.press('Enter');
    await expect(page.getByTestId('message').filter({ hasText: 'across origins' })).toHaveCount(1);

    expect([...apiOrigins]).toEqual([backend.url]);
    expect(sockets[0]).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${backend.port}/ws/chat/${room}/\\?ticket=`));
    await context.close();
  } finally {
    server?.close();
    await backend.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
});
