// Modal prompt for a protected room's password (native <dialog>: focus trap and Escape for free).
import { useEffect, useRef, useState } from 'react';
import Field from './Field.jsx';

export default function PasswordDialog({ room, onSubmit, onCancel }) {
  const ref = useRef(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.open && d.close();
  }, []);

  async function submit(e) {
    e.preventDefault();
    if (!password) {
      setError('Enter the room password.');
      return;
    }
    setBusy(true);
    setError('');
    const err = await onSubmit(password);
    if (err) {
      setBusy(false);
      setError(err);
    }
  }

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="pw-title" onCancel={(e) => { e.preventDefault(); onCancel(); }} data-testid="room-password-dialog">
      <form onSubmit={submit} noValidate>
        <h2 id="pw-title">🔒 {room.name}</h2>
        <p className="muted">This room is protected. Enter its password to join.</p>
        <Field
          label="Room password"
          type="password"
          autoComplete="off"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error}
          testid="room-password-dialog-input"
          autoFocus
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>Cancel</button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="room-password-dialog-submit">
            {busy ? 'Joining…' : 'Join room'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
