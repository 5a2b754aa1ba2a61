import { useCallback, useMemo } from 'react';
import { ConversationView } from '@/features/chat';
import { Link } from '@/shared/router';
import { conversationBox, useChatSession } from './session/ChatSession';

/** A private conversation, on whichever room socket is open (see session/socketRoom.ts). */
export function DmPage({ peer }: { peer: string }) {
  const session = useChatSession();
  const { me, loadConversationPage, markConversationSeen, setDraft, setError, sendPrivate, privateActions } = session;
  const box = conversationBox(peer);
  const load = useCallback((older: boolean) => loadConversationPage(peer, older), [peer, loadConversationPage]);
  const seen = useCallback((id: number) => markConversationSeen(peer, id), [peer, markConversationSeen]);
  const changeDraft = useCallback((text: string) => setDraft(box, text), [box, setDraft]);
  const actions = useMemo(() => privateActions(peer), [peer, privateActions]);

  if (me === null) {
    const here = `/dm/${encodeURIComponent(peer)}`;
    return (
      <div className="page">
        <h1 tabIndex={-1}>Private messages</h1>
        <p>
          <Link to={`/login?next=${encodeURIComponent(here)}`}>Log in</Link> to write privately to {peer}.
        </p>
      </div>
    );
  }
  return (
    <ConversationView
      key={peer}
      peer={peer}
      me={me}
      conversation={session.conversations.byPeer[peer]}
      pending={session.pending[box] ?? []}
      draft={session.drafts[box] ?? ''}
      onDraftChange={changeDraft}
      maxLength={session.limits.maxLength}
      actions={actions}
      error={session.errors[box] ?? null}
      offline={session.connection.status !== 'open'}
      onLoad={load}
      onSend={(text) => sendPrivate(peer, text)}
      onDismissError={() => setError(box, null)}
      onSeen={seen}
    />
  );
}
