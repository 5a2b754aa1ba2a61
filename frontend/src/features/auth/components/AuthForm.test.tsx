import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '@/lib/http';
import { AuthContext, type AuthContextValue } from '../AuthProvider';
import { AuthForm } from './AuthForm';

function renderForm(mode: 'login' | 'signup', overrides: Partial<AuthContextValue> = {}) {
  const value: AuthContextValue = {
    auth: { status: 'anonymous', user: null },
    login: vi.fn(async () => {}),
    signup: vi.fn(async () => {}),
    logout: vi.fn(async () => {}),
    ...overrides,
  };
  const onDone = vi.fn();
  render(
    <AuthContext.Provider value={value}>
      <AuthForm mode={mode} onDone={onDone} />
    </AuthContext.Provider>,
  );
  return { value, onDone };
}

describe('AuthForm', () => {
  it('logs in with the typed credentials', async () => {
    const { value, onDone } = renderForm('login');
    await userEvent.type(screen.getByLabelText('Username'), ' alice ');
    await userEvent.type(screen.getByLabelText('Password'), 'secret{Enter}');
    expect(value.login).toHaveBeenCalledWith({ username: 'alice', password: 'secret' });
    expect(onDone).toHaveBeenCalled();
  });

  it('says when the password is wrong', async () => {
    renderForm('login', {
      login: vi.fn(async () => {
        throw new ApiError(401, 'authentication_failed', 'No active account found.');
      }),
    });
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'nope{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
  });

  it('shows field errors from sign-up next to their fields', async () => {
    renderForm('signup', {
      signup: vi.fn(async () => {
        throw new ApiError(400, 'invalid', 'username: taken', { username: ['A user with that username already exists.'] });
      }),
    });
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'whatever123{Enter}');
    const username = screen.getByLabelText('Username');
    expect(username).toHaveAttribute('aria-invalid', 'true');
    expect(username).toHaveAccessibleDescription('A user with that username already exists.');
  });
});
