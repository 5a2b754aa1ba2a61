import { useCallback, useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { api } from '@/lib/client';
import { describeError } from '@/lib/http';
import { olderChangesBefore } from '@/lib/changesCatchUp';
import type { MessageDeletedEvent, MessageEditedEvent, PrivateMessage } from '@/lib/protocol';
import {
  EMPTY_CONVERSATIONS,
  conversationsReducer,
  newestPrivateId,
  readIsExact,
  type ConversationsState,
} from '../conversations';

const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;

export interface ConversationActions {
  /** A private message seen live, sent by me or to me. */
  live(message: PrivateMessage, me: string): void;
  /** The conversation with `peer` is read up to `id` (here or in another tab). */
  read(peer: string, id: number): void;
  /** A private message was edited (by me, in any tab, or by the other person). */
  edited(event: MessageEditedEvent): void;
  deleted(event: MessageDeletedEvent): void;
}

/**
 * Private conversations: the list from `GET /api/dms/` (with unread counts and read markers),
 * each conversation's pages from `GET /api/dms/{user}/messages/`, and what arrives live on
 * whichever room socket is open.
 */
export function useConversations() {
  const [state, dispatch] = useReducer(conversationsReducer, EMPTY_CONVERSATIONS);
  const latest = useRef<ConversationsState>(state);
  useLayoutEffect(() => {
    latest.current = state;
  }, [state]);

  const loadList = useCallback(() => {
    api
      .listConversations()
      .then((list) => dispatch({ type: 'list_loaded', conversations: list.results }))
      .catch(() => {
        // The list is a convenience; it is fetched again on the next connect or focus.
      });
  }, []);

  const actions = useMemo<ConversationActions>(
    () => ({
      live(message, me) {
        dispatch({ type: 'live', peer: message.user === me ? message.to : message.user, message });
      },
      read(peer, id) {
        const exact = readIsExact(latest.current.byPeer[peer], id);
        dispatch({ type: 'read', peer, id });
        // Read up to a message this tab never loaded: only the server can count what is left.
        if (!exact) loadList();
      },
      edited: (event) => dispatch({ type: 'edited', event }),
      deleted: (event) => dispatch({ type: 'deleted', id: event.id }),
    }),
    [loadList],
  );

  const loadPage = useCallback((peer: string, older: boolean) => {
    const conversation = latest.current.byPeer[peer];
    if (conversation?.loading) return;
    const before = older ? conversation?.messages[0]?.id : undefined;
    if (older && before === undefined) return;
    dispatch({ type: 'page_loading', peer });
    api
      .conversationMessages(peer, { before, limit: PAGE_SIZE })
      .then((page) => dispatch({ type: 'page_loaded', peer, messages: page.results, hasMore: page.has_more }))
      .catch((error: unknown) => dispatch({ type: 'page_failed', peer, error: describeError(error) }));
  }, []);

  /**
   * Private messages are not replayed on a socket, so after a reconnect fetch every one newer than
   * the newest already known (`GET /api/dms/messages/?after=`), then what changed in the ones held
   * (`GET /api/dms/changes/?after=`, from the same point: changes are counted from where the
   * stream was, and the messages fetched come in their current state). It must run before
   * `loadList`, whose latest messages would move that starting point past the ones missed.
   */
  const catchUp = useCallback(
    async (me: string) => {
      const held = newestPrivateId(latest.current);
      if (held === 0) return; // Nothing seen yet: the list and the pages load what exists.
      for (let after = held; ; ) {
        const page = await api.privateMessages({ after, limit: CATCH_UP_PAGE });
        for (const message of page.results) actions.live(message, me);
        const last = page.results.at(-1);
        if (!page.has_more || last === undefined) break;
        after = last.id;
      }
      for (let before: number | undefined; ; ) {
        const page = await api.privateChanges({ after: held, before, limit: CATCH_UP_PAGE });
        dispatch({ type: 'changed', messages: page.results });
        const older = olderChangesBefore(page, before);
        if (older === null) return;
        before = older;
      }
    },
    [actions],
  );

  return { conversations: state, actions, loadList, loadPage, catchUp };
}
