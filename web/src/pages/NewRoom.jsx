import { useState } from 'react';
import { post, ApiError } from '../lib/api.js';
import { linkClick, navigate } from '../lib/router.js';
import Field from '../components/Field.jsx';

export default function NewRoom() {
  const [name, setName] = useState('');
  const [protect, setProtect] = useState(false);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    const errs = {};
    if (name.trim().length < 2) errs.name = 'The room name needs at least 2 characters.';
    if (protect && password.length < 4) errs.password = 'The password needs at least 4 characters.';
    setErrors(errs);
    setMessage('');
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const body = { name: name.trim() };
      if (protect) body.password = password;
      const res = await post('/api/rooms', body);
      navigate(`/chat/${res.data._id}`, { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setMessage(err.body.message || 'The room could not be created.');
      } else setMessage('The room could not be created.');
    }
  }

  return (
    <main className="page page-narrow" aria-labelledby="new-room-title">
      <p><a href="/chat" onClick={linkClick}>← All rooms</a></p>
      <form className="card" onSubmit={submit} noValidate>
        <h1 id="new-room-title">New chat room</h1>
        {message && <p className="notice notice-error" role="alert" data-testid="create-room-error">{message}</p>}
        <Field label="Room name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={100} testid="room-name-input" autoFocus />
        <label className="check">
          <input type="checkbox" checked={protect} onChange={(e) => setProtect(e.target.checked)} data-testid="room-password-toggle" />
          Protect with a password
        </label>
        {protect && (
          <Field
            label="Room password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            hint="4 to 100 characters. People need it to join."
            testid="room-password-input"
          />
        )}
        <button className="button button-primary button-block" type="submit" disabled={busy} data-testid="create-room-submit">
          {busy ? 'Creating…' : 'Create room'}
        </button>
      </form>
    </main>
  );
}
