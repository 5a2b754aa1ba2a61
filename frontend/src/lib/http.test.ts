import { ApiError, HttpClient, NetworkError } from './http';
import { REFRESH_STORAGE_KEY, TokenStore } from './tokens';

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

const expired = () => json(401, { code: 'token_not_valid', detail: 'Token is expired.' });

function setup(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const tokens = new TokenStore(localStorage);
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => handler(String(input), init ?? {}));
  const http = new HttpClient({ baseUrl: 'http://api.test', tokens, fetch, locks: null });
  return { tokens, fetch, http };
}

const authOf = (init: RequestInit) => (init.headers as Record<string, string>).Authorization;

describe('HttpClient', () => {
  it('sends the access token and parses JSON', async () => {
    const { tokens, http, fetch } = setup(() => json(200, { id: 1, username: 'alice', is_staff: false }));
    tokens.set('access-1', 'refresh-1');
    await expect(http.request('/api/auth/me/', { auth: 'required' })).resolves.toEqual({
      id: 1,
      username: 'alice',
      is_staff: false,
    });
    expect(fetch.mock.calls[0]?.[0]).toBe('http://api.test/api/auth/me/');
    expect(authOf(fetch.mock.calls[0]?.[1] as RequestInit)).toBe('Bearer access-1');
  });

  it('refreshes an expired access token once, stores the rotated refresh token and retries', async () => {
    const { tokens, http, fetch } = setup((url, init) => {
      if (url.endsWith('/api/auth/token/refresh/')) return json(200, { access: 'access-2', refresh: 'refresh-2' });
      return authOf(init) === 'Bearer access-2' ? json(200, { ok: true }) : expired();
    });
    tokens.set('access-1', 'refresh-1');
    await expect(http.request('/api/rooms/')).resolves.toEqual({ ok: true });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(JSON.parse(fetch.mock.calls[1]?.[1]?.body as string)).toEqual({ refresh: 'refresh-1' });
    expect(tokens.accessToken).toBe('access-2');
    expect(localStorage.getItem(REFRESH_STORAGE_KEY)).toBe('refresh-2');
  });

  it('shares one refresh between concurrent calls', async () => {
    let refreshes = 0;
    const { tokens, http } = setup(async (url, init) => {
      if (url.endsWith('/refresh/')) {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, { access: 'fresh', refresh: `refresh-${refreshes + 1}` });
      }
      return authOf(init) === 'Bearer fresh' ? json(200, { url }) : expired();
    });
    tokens.set('stale', 'refresh-1');
    const results = await Promise.all([http.request('/a/'), http.request('/b/'), http.request('/c/')]);
    expect(results).toHaveLength(3);
    expect(refreshes).toBe(1);
  });

  it('gets an access token first after a reload (refresh token only)', async () => {
    localStorage.setItem(REFRESH_STORAGE_KEY, 'refresh-1');
    const { http, fetch } = setup((url) =>
      url.endsWith('/refresh/') ? json(200, { access: 'access-1', refresh: 'refresh-2' }) : json(200, {}),
    );
    await http.request('/api/auth/me/', { auth: 'required' });
    expect(fetch.mock.calls.map(([url]) => url)).toEqual([
      'http://api.test/api/auth/token/refresh/',
      'http://api.test/api/auth/me/',
    ]);
  });

  it('ends the session when the refresh token is refused', async () => {
    const { tokens, http } = setup((url) =>
      url.endsWith('/refresh/') ? json(401, { code: 'token_not_valid', detail: 'Token is blacklisted' }) : expired(),
    );
    const ended = vi.fn();
    tokens.set('access-1', 'refresh-1');
    tokens.onCleared(ended);
    await expect(http.request('/api/auth/me/', { auth: 'required' })).rejects.toMatchObject({
      status: 401,
      code: 'token_not_valid',
    });
    expect(ended).toHaveBeenCalledTimes(1);
    expect(tokens.hasSession).toBe(false);
    expect(tokens.accessToken).toBeNull();
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    const { tokens, http } = setup((url) => {
      if (url.endsWith('/refresh/')) throw new TypeError('Failed to fetch');
      return expired();
    });
    tokens.set('access-1', 'refresh-1');
    await expect(http.request('/api/rooms/')).rejects.toBeInstanceOf(NetworkError);
    expect(tokens.hasSession).toBe(true);
  });

  it('turns error bodies into ApiError with code, detail and field errors', async () => {
    const body = { code: 'invalid', detail: 'username: taken', errors: { username: ['taken'] } };
    const { http } = setup(() => json(400, body));
    const error = await http.request('/api/auth/register/', { method: 'POST', body: {}, auth: 'none' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid', detail: 'username: taken', errors: { username: ['taken'] } });
  });

  it('answers undefined for an empty 205', async () => {
    const { http } = setup(() => new Response(null, { status: 205 }));
    await expect(http.request('/api/auth/logout/', { method: 'POST', body: { refresh: 'r' }, auth: 'none' })).resolves.toBeUndefined();
  });
});
