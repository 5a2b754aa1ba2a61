import { useEffect, useMemo, useRef } from 'react';
import type { ConversationState } from '../conversations';
import { privateItem } from '../timeline';
import { Composer } from './Composer';
import type { PendingMessage } from './MessageItem';
import { MessageList } from './MessageList';

export interface ConversationViewProps {
  peer: string;
  me: string;
  conversation: ConversationState | undefined;
  pending: readonly PendingMessage[];
  error: string | null;
  offline: boolean;
  onLoad(older: boolean): void;
  onSend(text: string): void;
  onDismissError(): void;
  onClose(): void;
}

/** A private conversation, backed by the DM history endpoint and fed live by the room socket. */
export function ConversationView(props: ConversationViewProps) {
  const { peer, me, conversation, pending, error, offline, onLoad, onSend, onDismissError, onClose } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = conversation?.loaded ?? false;

  useEffect(() => {
    if (!loaded) onLoad(false);
  }, [peer, loaded, onLoad]);

  useEffect(() => {
    heading.current?.focus();
  }, [peer]);

  const items = useMemo(
    () => (conversation?.messages ?? []).map((message) => privateItem(message, message.user === me ? 'out' : 'in')),
    [conversation?.messages, me],
  );

  return (
    <section className="conversation" aria-labelledby="conversation-heading" data-testid="conversation">
      <header className="section-header">
        <button type="button" className="link-button" onClick={onClose}>
          ← Back to the room
        </button>
        <h2 id="conversation-heading" ref={heading} tabIndex={-1}>
          Private conversation with {peer}
        </h2>
      </header>
      <MessageList
        items={items}
        pending={pending}
        me={me}
        label={`Private messages with ${peer}`}
        hasOlder={conversation?.hasOlder ?? false}
        loadingOlder={conversation?.loading ?? false}
        olderError={conversation?.error ?? null}
        onLoadOlder={() => onLoad(true)}
        empty={<p className="muted empty">{loaded ? `No private messages with ${peer} yet.` : 'Loading…'}</p>}
      />
      <Composer
        label={`Private message to ${peer}`}
        placeholder={`Private message to ${peer}`}
        error={error}
        offline={offline}
        onSend={onSend}
        onDismissError={onDismissError}
      />
    </section>
  );
}
