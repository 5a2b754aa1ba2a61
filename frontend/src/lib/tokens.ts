/**
 * Where the tokens live.
 *
 * The access token stays in memory only: it is short-lived (5 minutes) and never needs to outlive
 * the page. The refresh token goes to localStorage so that the session survives a reload or a new
 * tab. The trade-off: script running on our origin (an XSS hole) could read it, where an HttpOnly
 * cookie could not; the protocol hands tokens to clients in JSON bodies and never sets cookies, so
 * localStorage is the only place a static client can keep it. Rendering every message as text (no
 * HTML from a message ever reaches the page) is what keeps that script out; rotation and logout
 * limit what a stolen token is worth.
 */

export const REFRESH_STORAGE_KEY = 'chat.refreshToken';

/** An access token and its lifetime, on this machine's clock (milliseconds since the epoch). */
export interface AccessToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** How far into its lifetime a token is renewed: early enough to survive a slow refresh. */
const RENEW_AT = 0.8;

export function renewalTime(token: AccessToken): number {
  return token.issuedAt + RENEW_AT * (token.expiresAt - token.issuedAt);
}

/**
 * Reads an access token's lifetime from its claims. `iat` and `exp` are on the server's clock,
 * which may differ from ours, so the lifetime (`exp - iat`) is counted from when the token
 * arrived here. Null when the token cannot be read: a socket's credential is then only renewed by
 * reconnecting when the server closes it (4401).
 */
export function readAccessToken(token: string, receivedAt: number): AccessToken | null {
  const claims = jwtClaims(token);
  const { iat, exp } = claims ?? {};
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat) return null;
  return { token, issuedAt: receivedAt, expiresAt: receivedAt + (exp - iat) * 1000 };
}

function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type Listener = () => void;

export class TokenStore {
  private access: string | null = null;
  private accessReceivedAt = 0;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {}

  get accessToken(): string | null {
    return this.access;
  }

  /** The access token with its lifetime, or null without one (or with one that cannot be read). */
  get accessTokenLifetime(): AccessToken | null {
    return this.access === null ? null : readAccessToken(this.access, this.accessReceivedAt);
  }

  get refreshToken(): string | null {
    try {
      return this.storage?.getItem(REFRESH_STORAGE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  get hasSession(): boolean {
    return this.refreshToken !== null;
  }

  set(access: string, refresh: string): void {
    this.access = access;
    this.accessReceivedAt = Date.now();
    try {
      this.storage?.setItem(REFRESH_STORAGE_KEY, refresh);
    } catch {
      // Private mode or a full quota: the session then lasts as long as the page.
    }
  }

  /** Forget both tokens and tell whoever listens (the auth feature) that the session ended. */
  clear(): void {
    const hadSession = this.access !== null || this.refreshToken !== null;
    this.access = null;
    try {
      this.storage?.removeItem(REFRESH_STORAGE_KEY);
    } catch {
      // Nothing to forget.
    }
    if (hadSession) this.listeners.forEach((listener) => listener());
  }

  /** Called when the session ends without the person asking (refresh refused). */
  onCleared(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
