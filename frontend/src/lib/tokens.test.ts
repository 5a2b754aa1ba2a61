import { readAccessToken, renewalTime, TokenStore } from './tokens';

/** A JWT with these claims (unsigned: the client never checks signatures). */
function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.signature`;
}

describe('readAccessToken', () => {
  it('counts the lifetime from when the token arrived, whatever the server clock says', () => {
    // Issued "an hour ago" by a server whose clock is an hour behind ours: still 300 s to live.
    const token = jwt({ token_type: 'access', iat: 1_000_000, exp: 1_000_300, user_id: 1 });
    const received = 1_003_600_000;
    expect(readAccessToken(token, received)).toEqual({ token, issuedAt: received, expiresAt: received + 300_000 });
  });

  it('renews at 80% of the lifetime', () => {
    expect(renewalTime({ token: 't', issuedAt: 10_000, expiresAt: 20_000 })).toBe(18_000);
  });

  it.each([
    ['not a JWT', 'opaque-token'],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c'],
    ['no exp', jwt({ iat: 1 })],
    ['no iat', jwt({ exp: 2 })],
    ['exp before iat', jwt({ iat: 5, exp: 4 })],
  ])('gives up on %s', (_, token) => {
    expect(readAccessToken(token, Date.now())).toBeNull();
  });

  it('is what the store says about its access token', () => {
    vi.useFakeTimers({ now: 50_000 });
    try {
      const store = new TokenStore(localStorage);
      expect(store.accessTokenLifetime).toBeNull();
      const token = jwt({ iat: 100, exp: 108 });
      store.set(token, 'refresh');
      expect(store.accessTokenLifetime).toEqual({ token, issuedAt: 50_000, expiresAt: 58_000 });
    } finally {
      vi.useRealTimers();
    }
  });
});
