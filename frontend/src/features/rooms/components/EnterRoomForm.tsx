import { useId, useState, type FormEvent, type Ref } from 'react';
import { useEnterRoom } from '../hooks/useEnterRoom';

export interface EnterRoomFormProps {
  loggedIn: boolean;
  /** Staff may create staff-only rooms; the option is not shown to anybody else. */
  isStaff: boolean;
  onEntered(name: string): void;
  inputRef?: Ref<HTMLInputElement>;
  className?: string;
}

/** Join a room by name, or create it when it is new (logged in). */
export function EnterRoomForm({ loggedIn, isStaff, onEntered, inputRef, className = '' }: EnterRoomFormProps) {
  const { enter, busy, error } = useEnterRoom(loggedIn);
  const [name, setName] = useState('');
  const [adminOnly, setAdminOnly] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const entered = await enter(name, { adminOnly: isStaff && adminOnly });
    if (entered === null) return;
    setName('');
    setAdminOnly(false);
    onEntered(entered);
  };

  return (
    <form className={`enter-room ${className}`} onSubmit={submit}>
      <label htmlFor={`${id}-room`}>{loggedIn ? 'Join or create a room' : 'Open a room'}</label>
      <div className="inline-field">
        <input
          id={`${id}-room`}
          ref={inputRef}
          name="room"
          placeholder="room-name"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          maxLength={65}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-describedby={`${id}-error`}
        />
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          {loggedIn ? 'Go' : 'Open'}
        </button>
      </div>
      {loggedIn && isStaff && (
        <label className="checkbox">
          <input type="checkbox" checked={adminOnly} onChange={(event) => setAdminOnly(event.target.checked)} />
          Staff only <span className="muted">(for a new room)</span>
        </label>
      )}
      <p id={`${id}-error`} className="form-error" role="alert">
        {error}
      </p>
    </form>
  );
}
