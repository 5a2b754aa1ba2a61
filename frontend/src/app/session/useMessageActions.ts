/**
 * Edits, deletes and reactions, sent on the open socket, with the server's refusals said in
 * words. The room's actions work on the socket's room; a private conversation's name the other
 * person (`with`), on whichever room socket is open.
 */
import { useCallback, useMemo, type RefObject } from 'react';
import type { ClientLimits, MessageActions } from '@/features/chat';
import { ActionRefused, OFFLINE, type ActionFrame } from '@/lib/actions';
import type { RoomSocket } from '@/lib/socket';
import { describeSocketError } from './routeEvents';

export interface MessageActionsOptions {
  socket: RefObject<RoomSocket | null>;
  me: string | null;
  isStaff: boolean;
  limits: ClientLimits;
}

export function useMessageActions({ socket, me, isStaff, limits }: MessageActionsOptions) {
  const act = useCallback(
    async (frame: ActionFrame) => {
      try {
        await (socket.current?.act(frame) ?? Promise.reject(OFFLINE));
      } catch (error) {
        const reason = error instanceof ActionRefused ? describeSocketError(error.code, error.message) : 'Something went wrong.';
        throw new Error(reason, { cause: error });
      }
    },
    [socket],
  );

  /** Null for a guest, who may do nothing to messages. */
  const roomActions = useMemo<MessageActions | null>(
    () =>
      me === null
        ? null
        : {
            kind: 'room',
            isStaff,
            limits,
            edit: (id, message) => act({ type: 'edit_message', id, message }),
            remove: (id) => act({ type: 'delete_message', id }),
            react: (id, emoji, added) => act({ type: 'react', id, emoji, added }),
          },
    [me, isStaff, limits, act],
  );

  const privateActions = useCallback(
    (peer: string): MessageActions => ({
      kind: 'private',
      isStaff,
      limits,
      edit: (id, message) => act({ type: 'edit_message', id, message, with: peer }),
      remove: (id) => act({ type: 'delete_message', id, with: peer }),
      react: () => Promise.reject(new Error('Private messages take no reactions.')),
    }),
    [isStaff, limits, act],
  );

  return { roomActions, privateActions };
}
