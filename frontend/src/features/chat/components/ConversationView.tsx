import { useEffect, useMemo } from 'react';
import type { ConversationState } from '../conversations';
import type { MessageActions } from '../messageActions';
import { privateItem } from '../timeline';
import { Composer } from './Composer';
import { Avatar, type PendingMessage } from './MessageItem';
import { MessageList } from './MessageList';

export interface ConversationViewProps {
  peer: string;
  me: string;
  conversation: ConversationState | undefined;
  pending: readonly PendingMessage[];
  draft: string;
  onDraftChange(text: string): void;
  maxLength: number | null;
  error: string | null;
  offline: boolean;
  onLoad(older: boolean): void;
  onSend(text: string): void;
  onDismissError(): void;
  /** The newest message on screen: read up to there. */
  onSeen(id: number): void;
  actions: MessageActions;
}

/** A private conversation, backed by the DM history endpoint and fed live by the open socket. */
export function ConversationView(props: ConversationViewProps) {
  const { peer, me, conversation, pending, draft, onDraftChange, maxLength, error, offline } = props;
  const { onLoad, onSend, onDismissError, onSeen, actions } = props;
  const loaded = conversation?.loaded ?? false;

  useEffect(() => {
    if (!loaded) onLoad(false);
  }, [peer, loaded, onLoad]);

  const messages = conversation?.messages;
  const items = useMemo(() => (messages ?? []).map(privateItem), [messages]);
  const loadOlder = useMemo(() => () => onLoad(true), [onLoad]);

  return (
    <section className="view" aria-labelledby="conversation-heading" data-testid="conversation">
      <header className="view-header">
        <h1 id="conversation-heading" tabIndex={-1}>
          <span className="visually-hidden">Private conversation with </span>
          <Avatar name={peer} small />
          {peer}
        </h1>
        <span className="tag">Private</span>
      </header>
      <MessageList
        key={peer}
        items={items}
        pending={pending}
        me={me}
        label={`Private messages with ${peer}`}
        hasOlder={conversation?.hasOlder ?? false}
        loadingOlder={conversation?.loading ?? false}
        olderError={conversation?.error ?? null}
        onLoadOlder={loadOlder}
        emptyText={loaded ? `No private messages with ${peer} yet. Only the two of you see what is written here.` : 'Loading…'}
        onSeen={onSeen}
        actions={actions}
      />
      <Composer
        label={`Private message to ${peer}`}
        placeholder={`Private message to ${peer}`}
        value={draft}
        onChange={onDraftChange}
        maxLength={maxLength}
        error={error}
        offline={offline}
        onSend={onSend}
        onDismissError={onDismissError}
      />
    </section>
  );
}
