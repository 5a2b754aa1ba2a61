export interface OnlineUsersProps {
  users: readonly string[];
  me: string | null;
  /** Start a private conversation; absent for anonymous visitors, who cannot send. */
  onSelect?: (user: string) => void;
}

export function OnlineUsers({ users, me, onSelect }: OnlineUsersProps) {
  return (
    <section aria-labelledby="online-heading" className="panel online-users">
      <h2 id="online-heading">
        Online <span className="count">({users.length})</span>
      </h2>
      {users.length === 0 ? (
        <p className="muted">Nobody is logged in here.</p>
      ) : (
        <ul aria-live="polite" aria-relevant="additions removals">
          {users.map((user) => (
            <li key={user}>
              {onSelect && user !== me ? (
                <button
                  type="button"
                  className="user-button"
                  onClick={() => onSelect(user)}
                  aria-label={`Send a private message to ${user}`}
                >
                  <span aria-hidden="true" className="dot" />
                  {user}
                </button>
              ) : (
                <span className="user-static">
                  <span aria-hidden="true" className="dot" />
                  {user}
                  {user === me && <span className="muted">&nbsp;(you)</span>}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
