import { useMemo, useReducer } from 'react';

export type PresenceAction =
  | { type: 'reset'; users: readonly string[] }
  | { type: 'join'; user: string }
  | { type: 'leave'; user: string };

/** Who is online in the room, sorted, each user once (presence is per user, not per tab). */
export function presenceReducer(users: readonly string[], action: PresenceAction): readonly string[] {
  switch (action.type) {
    case 'reset':
      return [...new Set(action.users)].sort();
    case 'join':
      return users.includes(action.user) ? users : [...users, action.user].sort();
    case 'leave':
      return users.filter((user) => user !== action.user);
  }
}

export interface PresenceActions {
  reset(users: readonly string[]): void;
  join(user: string): void;
  leave(user: string): void;
}

interface RoomPresence {
  room: string | null;
  users: readonly string[];
}

/** Events for another room than the one held start it afresh (its socket greets with `user_list`). */
function roomPresenceReducer(state: RoomPresence, action: PresenceAction & { room: string }): RoomPresence {
  const users = state.room === action.room ? state.users : [];
  return { room: action.room, users: presenceReducer(users, action) };
}

/** Who is online in `room`; nobody in a room whose socket has not said yet. */
export function usePresence(room: string | null): { users: readonly string[]; actions: PresenceActions } {
  const [state, dispatch] = useReducer(roomPresenceReducer, { room: null, users: [] });
  const actions = useMemo<PresenceActions>(() => {
    const target = room ?? '';
    return {
      reset: (users) => dispatch({ room: target, type: 'reset', users }),
      join: (user) => dispatch({ room: target, type: 'join', user }),
      leave: (user) => dispatch({ room: target, type: 'leave', user }),
    };
  }, [room]);
  return { users: state.room === room ? state.users : [], actions };
}
