import { useAuth } from '@/features/auth';
import { Link, navigate, useLocation } from '@/shared/router';
import type { Ref } from 'react';

export interface MenuButton {
  open: boolean;
  onToggle(): void;
  unread: number;
}

/** The top bar: the menu button on a phone, the name of the app, and the account. */
export interface HeaderProps {
  /** The drawer's button (a phone), or null. */
  menu: MenuButton | null;
  menuRef?: Ref<HTMLButtonElement>;
  inert?: boolean;
}

export function Header({ menu, menuRef, inert }: HeaderProps) {
  const { auth, logout } = useAuth();
  const { path, search } = useLocation();
  const here = `${path}${search.size ? `?${search}` : ''}`;
  const next = path === '/login' || path === '/signup' ? '' : `?next=${encodeURIComponent(here)}`;
  return (
    <header className="app-header" inert={inert}>
      {menu && (
        <button
          type="button"
          ref={menuRef}
          className="menu-button"
          aria-expanded={menu.open}
          aria-controls="sidebar"
          onClick={menu.onToggle}
        >
          <span aria-hidden="true" className="menu-icon" />
          <span className="visually-hidden">Menu{menu.unread > 0 ? `, ${menu.unread} unread` : ''}</span>
          {menu.unread > 0 && <span aria-hidden="true" className="menu-dot" />}
        </button>
      )}
      <Link to="/" className="brand">
        Chat
      </Link>
      <nav aria-label="Account" className="account">
        {auth.status === 'authenticated' && (
          <>
            <span className="whoami" data-testid="whoami" title={auth.user.username}>
              {auth.user.username}
            </span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void logout().then(() => navigate('/'));
              }}
            >
              Log out
            </button>
          </>
        )}
        {auth.status === 'anonymous' && (
          <>
            <Link to={`/login${next}`}>Log in</Link>
            <Link to={`/signup${next}`} className="button-link">
              Sign up
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}
