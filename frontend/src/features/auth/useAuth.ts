import { useContext } from 'react';
import { AuthContext, type AuthContextValue } from './AuthProvider';

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth() needs an <AuthProvider> above it.');
  return value;
}

/** The logged-in username, or null for an anonymous visitor (or while the session loads). */
export function useUsername(): string | null {
  return useAuth().auth.user?.username ?? null;
}
