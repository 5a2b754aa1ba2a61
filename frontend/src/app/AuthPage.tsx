import { AuthForm } from '@/features/auth';
import { navigate, useLocation } from '@/shared/router';

/** Only same-site paths are followed after login, so a crafted link cannot send people elsewhere. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  return (
    <>
      <h1 tabIndex={-1}>{mode === 'login' ? 'Log in' : 'Create an account'}</h1>
      <AuthForm mode={mode} onDone={() => navigate(next, { replace: true })} />
    </>
  );
}
