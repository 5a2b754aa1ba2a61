import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ConnectionBanner, PrivateToast } from '@/features/chat';
import { navigate } from '@/shared/router';
import { useMediaQuery } from '@/shared/useMediaQuery';
import { useChatSession } from '../session/ChatSession';
import { Header } from './Header';
import { Sidebar } from './Sidebar';

/** Below this width the sidebar is a drawer behind the menu button (a phone, a narrow window). */
const DRAWER_QUERY = '(max-width: 760px)';

export interface ChatLayoutProps {
  currentRoom: string | null;
  currentPeer: string | null;
  children: ReactNode;
}

/**
 * The frame around every chat screen: header, sidebar (or drawer), the connection banner and the
 * toast. An open drawer is modal: the rest is inert, Escape or a click beside it closes it.
 */
export function ChatLayout({ currentRoom, currentPeer, children }: ChatLayoutProps) {
  const session = useChatSession();
  const drawer = useMediaQuery(DRAWER_QUERY);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const open = drawer && drawerOpen;
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);

  const close = useCallback((returnFocus: boolean) => {
    setDrawerOpen(false);
    if (returnFocus) requestAnimationFrame(() => menuButton.current?.focus());
  }, []);

  useEffect(() => {
    if (!open) return;
    // Into the drawer: where the person is, or its first control.
    const target = sidebar.current?.querySelector<HTMLElement>('[aria-current="page"]') ?? sidebar.current?.querySelector<HTMLElement>('a, button');
    target?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close(true);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open, close]);

  return (
    <div className="app-frame">
      <Header
        inert={open}
        menu={drawer ? { open, onToggle: () => setDrawerOpen((shown) => !shown), unread: session.totalUnread } : null}
        menuRef={menuButton}
      />
      <div className="app-body">
        <Sidebar
          ref={sidebar}
          drawer={drawer}
          open={open}
          onClose={close}
          currentRoom={currentRoom}
          currentPeer={currentPeer}
        />
        {open && <div className="backdrop" data-testid="drawer-backdrop" onClick={() => close(true)} />}
        <main id="main" className="main" inert={open}>
          {session.socketRoom !== null && <ConnectionBanner state={session.connection} onRetry={session.retryNow} />}
          {children}
        </main>
      </div>
      <PrivateToast
        toast={session.toast}
        onOpen={(peer) => {
          session.dismissToast();
          navigate(`/dm/${encodeURIComponent(peer)}`);
        }}
        onDismiss={session.dismissToast}
      />
    </div>
  );
}
