/**
 * Keeps an open socket's credential from expiring: before it does (80% into its lifetime), get a
 * fresh access token and hand it to the server on the socket (`authenticate`), so that nobody
 * notices. If that never works, the server closes the socket with 4401 at expiry, and the socket
 * client reconnects as it does after any 4401.
 */
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { AuthenticateFrame } from './protocol';
import { renewalTime, type AccessToken } from './tokens';

export interface RenewalOptions {
  /** The current access token, or null when logged out. */
  accessToken: () => AccessToken | null;
  /** true: a new access token; false: the session is over; rejects: the server cannot be reached. */
  refreshAccess: () => Promise<boolean>;
  /** Write the frame on the socket. */
  send: (frame: Required<AuthenticateFrame>) => void;
  /** The server cannot renew this socket: replace it with a new one before it expires. */
  replaceSocket: () => void;
  newClientId: () => string;
  backoff: BackoffPolicy;
  random: () => number;
}

/** Never renew sooner than this after the last try, whatever a token says. */
const MIN_DELAY_MS = 1_000;
const RATE_LIMIT_RETRY_MS = 1_000;

export class CredentialRenewal {
  private sent: { clientId: string; token: AccessToken } | null = null;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every open and close, so that a renewal begun for an older socket stops. */
  private epoch = 0;

  constructor(private readonly options: RenewalOptions) {}

  /** A socket opened with `credential` (the access token that asked for its ticket). */
  open(credential: AccessToken): void {
    this.close();
    this.schedule(renewalTime(credential) - Date.now());
  }

  /** The socket is gone. */
  close(): void {
    this.epoch += 1;
    this.sent = null;
    this.failures = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether an error with this client_id answers our `authenticate` (unnamed: maybe). */
  awaitsAnswer(clientId: string | null): boolean {
    return this.sent !== null && (clientId === null || clientId === this.sent.clientId);
  }

  /** The server took the token: it is the socket's credential now. */
  authenticated(): void {
    const sent = this.sent;
    this.sent = null;
    if (sent === null) return;
    this.failures = 0;
    this.schedule(renewalTime(sent.token) - Date.now());
  }

  refused(code: string): void {
    this.sent = null;
    switch (code) {
      case 'rate_limited':
        return this.schedule(RATE_LIMIT_RETRY_MS);
      case 'token_not_valid':
        // That token was no good (expired, revoked): refresh, and try again.
        return this.retry(true);
      case 'forbidden':
        // The token is another user's: nothing can renew this socket, which ends at expiry (4401).
        return;
      default:
        // `unknown_type` from a server that predates `authenticate`, or another refusal: a new
        // socket with the fresh token, before this one expires.
        this.options.replaceSocket();
    }
  }

  private schedule(delay: number, force = false): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const epoch = this.epoch;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.renew(epoch, force);
      },
      Math.max(MIN_DELAY_MS, delay),
    );
  }

  /** Try again later, backing off; if it never works the server closes with 4401 at expiry. */
  private retry(force: boolean): void {
    this.schedule(backoffDelay(this.failures, this.options.backoff, this.options.random), force);
    this.failures += 1;
  }

  /** Refresh first unless a newer token is at hand; `force`: the server refused the last one. */
  private async renew(epoch: number, force: boolean): Promise<void> {
    let token = this.options.accessToken();
    if (force || token === null || Date.now() >= renewalTime(token)) {
      let refreshed: boolean;
      try {
        refreshed = await this.options.refreshAccess();
      } catch {
        if (epoch === this.epoch) this.retry(force);
        return;
      }
      // Refused: the session is over, and the app goes to its logged-out state.
      if (!refreshed) return;
      token = this.options.accessToken();
    }
    if (epoch !== this.epoch || token === null) return;
    const clientId = this.options.newClientId();
    this.sent = { clientId, token };
    this.options.send({ type: 'authenticate', token: token.token, client_id: clientId });
  }
}
