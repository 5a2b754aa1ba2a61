/**
 * Starts and stops the real backend for the browser tests, the way production starts it
 * (`python -m config.server`, uvicorn with a graceful shutdown): a free port, a fresh SQLite
 * file, the built web client served at `/`. `restart()` kills the process and starts a new one on
 * the same port with the same database, like a server restart in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FRONTEND_DIR = resolve(import.meta.dirname, '..');
export const BACKEND_DIR = resolve(process.env.BACKEND_DIR ?? join(FRONTEND_DIR, '..', 'backend'));
const VENV_BIN = join(BACKEND_DIR, '.venv', 'bin');

export function backendProblem(): string | null {
  if (!existsSync(join(VENV_BIN, 'python'))) {
    return `No backend virtualenv at ${join(BACKEND_DIR, '.venv')}: run \`make backend-venv\` from the repo root first.`;
  }
  if (!existsSync(join(FRONTEND_DIR, 'dist', 'index.html'))) {
    return 'The web client is not built: run `npm run build` first (`npm run e2e` does).';
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: BACKEND_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${command} failed (${code}):\n${output}`))));
  });
}

export class Backend {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  private readonly log = createWriteStream(join(this.dir, 'server.log'), { flags: 'a' });
  port = 0;

  /** `extraEnv`: settings for this server on top of the suite's (CORS_ALLOWED_ORIGINS, say). */
  constructor(private readonly extraEnv: NodeJS.ProcessEnv = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: `sqlite:///${join(this.dir, 'e2e.sqlite3')}`,
      DEBUG: 'true',
      LOGIN_RATE: '1000/min',
      API_RATE: '100000/min',
      FRONTEND_DIST: join(FRONTEND_DIR, 'dist'),
      // Short-lived access tokens, so the suite also proves the silent refresh works.
      ACCESS_TOKEN_LIFETIME: process.env.E2E_ACCESS_TOKEN_LIFETIME ?? '20',
      PYTHONUNBUFFERED: '1',
      ...this.extraEnv,
    };
    delete env.REDIS_URL;
    return env;
  }

  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      await run(join(VENV_BIN, 'python'), ['manage.py', 'migrate', '--noinput'], this.env());
    }
    const child = spawn(join(VENV_BIN, 'python'), ['-m', 'config.server'], {
      cwd: BACKEND_DIR,
      env: { ...this.env(), PORT: String(this.port), BIND: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.process = child;
    await this.waitUntilReady(child);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see ${this.logFile}`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((wait) => setTimeout(wait, 150));
    }
    throw new Error(`the server did not answer /healthz within 30 s; see ${this.logFile}`);
  }

  /** Stop the server: SIGKILL is a crash (connections just drop), SIGTERM a clean shutdown. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(signal: NodeJS.Signals = 'SIGKILL', downMs = 0): Promise<void> {
    await this.stop(signal);
    if (downMs > 0) await new Promise((wait) => setTimeout(wait, downMs));
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.log.end();
    if (!process.env.E2E_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
  }
}
