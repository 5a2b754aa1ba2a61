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

export function usePresence(): { users: readonly string[]; actions: PresenceActions } {
  const [users, dispatch] = useReducer(presenceReducer, []);
  const actions = useMemo<PresenceActions>(
    () => ({
      reset: (list) => dispatch({ type: 'reset', users: list }),
      join: (user) => dispatch({ type: 'join', user }),
      leave: (user) => dispatch({ type: 'leave', user }),
    }),
    [],
  );
  return { users, actions };
}
