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

type Listener = () => void;

export class TokenStore {
  private access: string | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {}

  get accessToken(): string | null {
    return this.access;
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
