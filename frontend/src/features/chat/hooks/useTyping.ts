import { useEffect, useMemo, useRef, useState } from 'react';

/** How long "alice is typing…" stays after alice's last typing notice. */
export const TYPING_SHOWN_MS = 5_000;

export interface TypingActions {
  /** `user` is typing in the room (a `typing` event). */
  typing(user: string): void;
  /** `user`'s message arrived: they stopped. */
  stopped(user: string): void;
}

/**
 * Who is typing in `room`, in the order they started: each one until `TYPING_SHOWN_MS` after
 * their last notice, or until their message arrives. Another room starts with nobody.
 */
export function useTyping(room: string | null): { typing: readonly string[]; actions: TypingActions } {
  const [state, setState] = useState<{ room: string | null; users: readonly string[] }>({ room, users: [] });
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const running = timers.current;
    return () => {
      for (const timer of running.values()) clearTimeout(timer);
      running.clear();
    };
  }, [room]);

  const actions = useMemo<TypingActions>(() => {
    const remove = (user: string) => {
      clearTimeout(timers.current.get(user));
      timers.current.delete(user);
      setState((previous) =>
        previous.room === room && previous.users.includes(user)
          ? { room, users: previous.users.filter((name) => name !== user) }
          : previous,
      );
    };
    return {
      typing(user) {
        clearTimeout(timers.current.get(user));
        timers.current.set(user, setTimeout(() => remove(user), TYPING_SHOWN_MS));
        setState((previous) => {
          const users = previous.room === room ? previous.users : [];
          return users.includes(user) ? previous : { room, users: [...users, user] };
        });
      },
      stopped: remove,
    };
  }, [room]);

  return { typing: state.room === room ? state.users : [], actions };
}

/** "alice is typing…", "alice and bob are typing…", "several people are typing…"; null: nobody. */
export function describeTyping(users: readonly string[]): string | null {
  const [first, second] = users;
  if (first === undefined) return null;
  if (second === undefined) return `${first} is typing…`;
  if (users.length === 2) return `${first} and ${second} are typing…`;
  return 'several people are typing…';
}
