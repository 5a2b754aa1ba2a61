import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '@/lib/http';
import { Link } from '@/shared/router';
import { useAuth } from '../useAuth';

export interface AuthFormProps {
  mode: 'login' | 'signup';
  /** Called after a successful login or sign-up. */
  onDone(): void;
}

export function AuthForm({ mode, onDone }: AuthFormProps) {
  const { login, signup } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const errorRef = useRef<HTMLParagraphElement>(null);
  const id = useId();
  const isLogin = mode === 'login';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      await (isLogin ? login : signup)({ username: username.trim(), password });
      onDone();
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'invalid') setFieldErrors(caught.errors);
      setError(
        caught instanceof ApiError && caught.code === 'authentication_failed'
          ? 'Wrong username or password.'
          : describeError(caught),
      );
      queueMicrotask(() => errorRef.current?.focus());
    }
  };

  const fieldError = (name: string) => fieldErrors[name]?.join(' ');
  const usernameError = fieldError('username');
  const passwordError = fieldError('password');

  return (
    <form className="card auth-form" onSubmit={submit} noValidate aria-describedby={error ? `${id}-error` : undefined}>
      <div className="field">
        <label htmlFor={`${id}-username`}>Username</label>
        <input
          id={`${id}-username`}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={150}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          aria-invalid={usernameError ? true : undefined}
          aria-describedby={usernameError ? `${id}-username-error` : undefined}
          autoFocus
        />
        {usernameError && (
          <p id={`${id}-username-error`} className="field-error">
            {usernameError}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={isLogin ? 'current-password' : 'new-password'}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={passwordError ? `${id}-password-error` : undefined}
        />
        {passwordError && (
          <p id={`${id}-password-error`} className="field-error">
            {passwordError}
          </p>
        )}
      </div>
      <p id={`${id}-error`} ref={errorRef} tabIndex={-1} className="form-error" role="alert">
        {error}
      </p>
      <button type="submit" className="primary" disabled={busy || username.trim() === '' || password === ''}>
        {isLogin ? 'Log in' : 'Sign up'}
      </button>
      <p className="muted">
        {isLogin ? (
          <>
            No account yet? <Link to="/signup">Sign up</Link>
          </>
        ) : (
          <>
            Already have an account? <Link to="/login">Log in</Link>
          </>
        )}
      </p>
    </form>
  );
}
