/**
 * Who is using the app. On start, a refresh token left in storage by an earlier visit is turned
 * back into a session (the REST client refreshes the access token on its first call).
 */
import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '@/lib/client';
import type { Credentials } from '@/lib/api';
import { ApiError } from '@/lib/http';
import type { Me } from '@/lib/protocol';

export type AuthState =
  | { status: 'loading'; user: null }
  | { status: 'anonymous'; user: null }
  | { status: 'authenticated'; user: Me };

export interface AuthContextValue {
  auth: AuthState;
  login(credentials: Credentials): Promise<void>;
  signup(credentials: Credentials): Promise<void>;
  logout(): Promise<void>;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

const ANONYMOUS: AuthState = { status: 'anonymous', user: null };
const SESSION_RETRY_MS = 3_000;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<AuthState>(() =>
    api.hasSession() ? { status: 'loading', user: null } : ANONYMOUS,
  );

  // A refused refresh (expired, logged out elsewhere) ends the session wherever it happens.
  useEffect(() => api.onSessionEnded(() => setAuth(ANONYMOUS)), []);

  useEffect(() => {
    if (!api.hasSession()) return;
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const restore = () => {
      api
        .me()
        .then((user) => !cancelled && setAuth({ status: 'authenticated', user }))
        .catch((error: unknown) => {
          if (cancelled) return;
          // A refusal has already cleared the session. Offline at start-up keeps it and tries again,
          // so a person who opens the app on a bad connection is not logged out.
          if (error instanceof ApiError || !api.hasSession()) setAuth(ANONYMOUS);
          else retry = setTimeout(restore, SESSION_RETRY_MS);
        });
    };
    restore();
    return () => {
      cancelled = true;
      clearTimeout(retry);
    };
  }, []);

  const login = useCallback(async (credentials: Credentials) => {
    await api.login(credentials);
    setAuth({ status: 'authenticated', user: await api.me() });
  }, []);

  const signup = useCallback(
    async (credentials: Credentials) => {
      await api.register(credentials);
      await login(credentials);
    },
    [login],
  );

  const logout = useCallback(async () => {
    await api.logout();
    setAuth(ANONYMOUS);
  }, []);

  const value = useMemo(() => ({ auth, login, signup, logout }), [auth, login, signup, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
