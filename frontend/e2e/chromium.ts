/** The system Chromium from Debian: Playwright's own browser download does not work here. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Install Debian's chromium when it is missing and we may (root, apt-get, not forbidden). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const mayInstall = process.getuid?.() === 0 && process.env.E2E_INSTALL_CHROMIUM !== '0' && existsSync('/usr/bin/apt-get');
  if (!mayInstall) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  console.log('Installing chromium from Debian packages…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
