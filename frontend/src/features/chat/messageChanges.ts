/**
 * What can happen to a message after it was sent (an edit, a delete, a reaction), applied to the
 * messages held here. The same rules serve room and private messages. A change to a message that
 * is not held is ignored: it is loaded in its current state whenever it is.
 */
import type { MessageEditedEvent, MessageState, Reaction, ReactionEvent } from '@/lib/protocol';

/**
 * The later of two states of one message. A tombstone is final; of two texts, the later edit
 * wins, so a REST page answered before a live edit cannot undo it. Everything else (reactions)
 * comes from `incoming`, the state just heard of.
 */
export function laterState<M extends MessageState>(held: M, incoming: M): M {
  if (held.deleted) return held;
  if (incoming.deleted) return incoming;
  const heldIsNewer = held.edited_at !== null && (incoming.edited_at === null || incoming.edited_at < held.edited_at);
  return heldIsNewer ? { ...incoming, message: held.message, edited_at: held.edited_at } : incoming;
}

export function withEdit<M extends MessageState>(message: M, edit: Pick<MessageEditedEvent, 'message' | 'edited_at'>): M {
  return laterState(message, { ...message, message: edit.message, edited_at: edit.edited_at });
}

/** A deleted message: no text, and no reactions when it had any. */
export function tombstone<M extends MessageState & { reactions?: readonly Reaction[] }>(message: M): M {
  if (message.deleted) return message;
  return { ...message, message: '', deleted: true, ...(message.reactions === undefined ? {} : { reactions: [] }) };
}

/**
 * A reaction added or taken away: the user joins or leaves the emoji's chip, a new emoji goes
 * last (chips keep the order each emoji was first added), a chip nobody is left on goes.
 */
export function withReaction(
  reactions: readonly Reaction[],
  { emoji, user, added }: Pick<ReactionEvent, 'emoji' | 'user' | 'added'>,
): readonly Reaction[] {
  const chip = reactions.find((reaction) => reaction.emoji === emoji);
  const has = chip?.users.includes(user) ?? false;
  if (has === added) return reactions;
  if (chip === undefined) return [...reactions, { emoji, count: 1, users: [user] }];
  const users = added ? [...chip.users, user] : chip.users.filter((name) => name !== user);
  const count = Math.max(0, chip.count + (added ? 1 : -1));
  if (count === 0) return reactions.filter((reaction) => reaction !== chip);
  return reactions.map((reaction) => (reaction === chip ? { emoji, count, users } : reaction));
}

/** `change` applied to the message `id` of `list`; the same list when it is not there or unchanged. */
export function updateById<M extends { id: number }>(list: readonly M[], id: number, change: (message: M) => M): readonly M[] {
  const index = list.findIndex((message) => message.id === id);
  const held = list[index];
  if (held === undefined) return list;
  const next = change(held);
  return next === held ? list : list.with(index, next);
}

/** The current states of `changed` put in place of the messages held with their ids. */
export function withCurrentStates<M extends MessageState>(list: readonly M[], changed: readonly M[]): readonly M[] {
  let next = list;
  for (const current of changed) next = updateById(next, current.id, (held) => laterState(held, current));
  return next;
}
