/**
 * The REST transport: JSON in and out, bearer tokens, and the silent refresh of an expired access
 * token. Every call that fails with 401 `token_not_valid` refreshes once and is retried; concurrent
 * calls share one refresh, because refresh tokens rotate and a second refresh with the same token
 * would be refused (and end the session).
 */
import type { ErrorBody, TokenPair } from './protocol';
import type { TokenStore } from './tokens';

/** The server answered with an error body (or at least an error status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: Record<string, string[]> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** The request never got an answer: the network or the server is down. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('The server cannot be reached.', { cause });
    this.name = 'NetworkError';
  }
}

/** none: never send a token; optional: send one when logged in; required: the call needs one. */
export type AuthMode = 'none' | 'optional' | 'required';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  auth?: AuthMode;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

export interface HttpClientOptions {
  baseUrl: string;
  tokens: TokenStore;
  fetch?: typeof fetch;
  /** Serialises refreshes across tabs, which share one refresh token. */
  locks?: LockManager | null;
}

const REFRESH_PATH = '/api/auth/token/refresh/';
const REFRESH_LOCK = 'chat.token-refresh';

export class HttpClient {
  private refreshing: Promise<boolean> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly locks: LockManager | null;

  constructor(private readonly options: HttpClientOptions) {
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.locks = options.locks === undefined ? (globalThis.navigator?.locks ?? null) : options.locks;
  }

  get tokens(): TokenStore {
    return this.options.tokens;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? 'optional';
    const tokens = this.options.tokens;
    // After a reload only the refresh token is left: get an access token before the first call.
    if (auth !== 'none' && tokens.accessToken === null && tokens.hasSession) {
      await this.refresh();
    }
    let response = await this.send(path, options, auth);
    if (auth !== 'none' && response.status === 401 && (await errorCode(response)) === 'token_not_valid') {
      await this.refresh();
      response = await this.send(path, options, auth);
    }
    return parseResponse<T>(response);
  }

  /**
   * Swap the refresh token for a new pair. Resolves true on success and false when the server
   * refused it (the session is then over: tokens are cleared). A network failure rejects and keeps
   * the session, so a person whose Wi-Fi drops is not logged out.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.refreshUnderLock().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private refreshUnderLock(): Promise<boolean> {
    const run = () => this.doRefresh();
    return this.locks ? this.locks.request(REFRESH_LOCK, run) : run();
  }

  private async doRefresh(): Promise<boolean> {
    const tokens = this.options.tokens;
    // Read inside the lock: another tab may have rotated the token while we waited.
    const refresh = tokens.refreshToken;
    if (refresh === null) {
      tokens.clear();
      return false;
    }
    const response = await this.send(REFRESH_PATH, { method: 'POST', body: { refresh } }, 'none');
    if (response.ok) {
      const pair = (await response.json()) as TokenPair;
      tokens.set(pair.access, pair.refresh);
      return true;
    }
    if (response.status === 400 || response.status === 401) {
      tokens.clear();
      return false;
    }
    throw await toApiError(response);
  }

  private async send(path: string, options: RequestOptions, auth: AuthMode): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const access = this.options.tokens.accessToken;
    if (auth !== 'none' && access !== null) headers.Authorization = `Bearer ${access}`;
    try {
      return await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new NetworkError(error);
    }
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.options.baseUrl}${path}${search ? `?${search}` : ''}`;
  }
}

async function errorCode(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as Partial<ErrorBody>;
    return typeof body.code === 'string' ? body.code : null;
  } catch {
    return null;
  }
}

async function parseResponse<T>(response: Response): Promise<T> {
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204 || response.status === 205) return undefined as T;
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status.
  }
  return new ApiError(
    response.status,
    typeof body.code === 'string' ? body.code : `http_${response.status}`,
    typeof body.detail === 'string' ? body.detail : `The server answered ${response.status}.`,
    body.errors ?? {},
  );
}

/** A sentence for a person, from whatever a call threw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') return 'Too many requests; wait a moment and try again.';
    return error.detail;
  }
  if (error instanceof NetworkError) return error.message;
  return 'Something went wrong.';
}
