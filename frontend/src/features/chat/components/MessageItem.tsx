import { useRef, useState, type CSSProperties } from 'react';
import { formatClock, formatDateTime } from '@/shared/format';
import { reasonOf, type MessageActions } from '../messageActions';
import { EDIT_TOO_LATE, canDelete, canEdit, roomForAnotherEmoji } from '../messageRules';
import type { TimelineItem } from '../timeline';
import { DeleteConfirm } from './DeleteConfirm';
import { MessageEditor } from './MessageEditor';
import { MessageToolbar } from './MessageToolbar';
import { Reactions } from './Reactions';

/** A colour per person, the same everywhere: a hue from their name. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}

export function Avatar({ name, small = false }: { name: string; small?: boolean }) {
  return (
    <span aria-hidden="true" className={`avatar${small ? ' small' : ''}`} style={{ '--hue': hueOf(name) } as CSSProperties}>
      {[...name][0]?.toUpperCase()}
    </span>
  );
}

type Mode = 'reading' | 'editing' | 'deleting';

export interface MessageItemProps {
  item: TimelineItem;
  me: string | null;
  first: boolean;
  /** Absent: nothing can be done to the message here (a guest, a list without actions). */
  actions?: MessageActions;
  /** The time the edit window is measured at (the list ticks it). */
  now?: number;
}

/**
 * One message. The text is a React text child, so the browser shows it as text: no message ever
 * becomes HTML (there is no dangerouslySetInnerHTML anywhere in this app). The first message of
 * a group shows its author and time; the others say them to screen readers only (and the time
 * on hover). A deleted one is a tombstone: no text, no reactions, nothing to do.
 */
export function MessageItem({ item, me, first, actions, now }: MessageItemProps) {
  const [mode, setMode] = useState<Mode>('reading');
  const [error, setError] = useState<string | null>(null);
  // Where the focus goes back to when the editor or the question closes: the button that opened it.
  const opener = useRef<HTMLElement | null>(null);
  const self = useRef<HTMLLIElement>(null);
  const time = formatClock(item.timestamp);
  const className = ['message', first ? 'first' : 'continued', item.user === me ? 'mine' : ''].filter(Boolean).join(' ');

  const open = (next: Mode) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setError(null);
    setMode(next);
  };
  const close = () => {
    setMode('reading');
    opener.current?.focus();
  };

  const viewer = { me, isStaff: actions?.isStaff ?? false };
  const live = actions !== undefined && !item.deleted;
  const room = actions?.kind === 'room';
  const react = (emoji: string, added: boolean) => {
    setError(null);
    actions?.react(item.id, emoji, added).catch((reason: unknown) => setError(reasonOf(reason)));
  };
  const edit = () => (canEdit(item, me, actions?.limits.editWindow ?? null) ? open('editing') : setError(EDIT_TOO_LATE));
  const save = async (text: string) => {
    if (text !== item.message) await actions?.edit(item.id, text);
    close();
  };
  const remove = async () => {
    await actions?.remove(item.id);
    setMode('reading');
    // The tombstone has no buttons left: keep the focus on the message rather than lose it.
    self.current?.focus();
  };
  const mayReact = live && room && me !== null && roomForAnotherEmoji(item.reactions, actions.limits.reactionsPerMessage);

  return (
    <li ref={self} className={className} data-testid="message" data-id={item.id} tabIndex={-1}>
      {first ? (
        <Avatar name={item.user} />
      ) : (
        <time className="message-side-time" dateTime={item.timestamp}>
          <span className="visually-hidden">{item.user}, </span>
          {time}
        </time>
      )}
      <div className="message-body">
        {first && (
          <div className="message-meta">
            <span className="sender">{item.user}</span>
            <time dateTime={item.timestamp}>{time}</time>
          </div>
        )}
        {item.deleted ? (
          <p className="message-text tombstone">Message deleted</p>
        ) : mode === 'editing' && actions ? (
          <MessageEditor text={item.message} maxLength={actions.limits.maxLength} onSave={save} onCancel={close} />
        ) : (
          <p className="message-text">
            {item.message}
            {item.edited_at !== null && (
              <span className="edited" title={`Edited ${formatDateTime(item.edited_at)}`}>
                {' '}
                (edited)
              </span>
            )}
          </p>
        )}
        {!item.deleted && (
          <Reactions reactions={item.reactions} me={me} onToggle={live && me !== null ? react : undefined} />
        )}
        {mode === 'deleting' && live && <DeleteConfirm onConfirm={remove} onCancel={close} />}
        {error !== null && (
          <p className="form-error message-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {live && (
        <MessageToolbar
          reactions={item.reactions}
          me={me}
          onReact={mayReact ? react : undefined}
          onEdit={canEdit(item, me, actions.limits.editWindow, now) ? edit : undefined}
          onDelete={canDelete(item, viewer, actions.kind) ? () => open('deleting') : undefined}
        />
      )}
    </li>
  );
}

export interface PendingMessage {
  clientId: string;
  text: string;
  /** For a private message: who it goes to. */
  to: string | null;
  waiting: boolean;
}

/** A message in the outbox: typed, not yet confirmed by the server. */
export function PendingItem({ pending, me }: { pending: PendingMessage; me: string | null }) {
  return (
    <li className="message first mine pending" data-testid="pending-message">
      <Avatar name={me ?? ''} />
      <div className="message-body">
        <div className="message-meta">
          <span className="sender">{me}</span>
          <span className="status">{pending.waiting ? 'waiting for connection…' : 'sending…'}</span>
        </div>
        <p className="message-text">{pending.text}</p>
      </div>
    </li>
  );
}
