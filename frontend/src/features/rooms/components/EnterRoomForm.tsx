import { useId, useState, type FormEvent } from 'react';
import { useEnterRoom } from '../hooks/useEnterRoom';

export interface EnterRoomFormProps {
  loggedIn: boolean;
  onEntered(name: string): void;
}

export function EnterRoomForm({ loggedIn, onEntered }: EnterRoomFormProps) {
  const { enter, busy, error } = useEnterRoom(loggedIn);
  const [name, setName] = useState('');
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const entered = await enter(name);
    if (entered !== null) onEntered(entered);
  };

  return (
    <form className="card enter-room" onSubmit={submit}>
      <label htmlFor={`${id}-room`}>{loggedIn ? 'Enter a room (created if new)' : 'Open a room'}</label>
      <div className="inline-field">
        <input
          id={`${id}-room`}
          name="room"
          placeholder="lobby"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={64}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-describedby={`${id}-error`}
        />
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          Enter
        </button>
      </div>
      <p id={`${id}-error`} className="form-error" role="alert">
        {error}
      </p>
    </form>
  );
}
