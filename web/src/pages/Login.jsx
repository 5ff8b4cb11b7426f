import { useState, useSyncExternalStore } from 'react';
import { post, ApiError } from '../lib/api.js';
import { logoutReason, setUser, userFromAuthResponse } from '../lib/auth.js';
import { linkClick, navigate } from '../lib/router.js';
import Field from '../components/Field.jsx';

export default function Login() {
  const params = new URLSearchParams(window.location.search);
  const registered = params.get('registered') === '1';
  const [email, setEmail] = useState(params.get('email') || '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const reason = useSyncExternalStore(logoutReason.subscribe, logoutReason.get);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage('');
    try {
      const body = await post('/api/auth/login', { email, password }, { allow401: true });
      logoutReason.set('');
      setUser(userFromAuthResponse(body));
      navigate('/chat', { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setMessage(err.message);
      } else setMessage('Sign-in failed. Please try again.');
    }
  }

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="brand-mark" aria-hidden="true">P</div>
        <h1 id="login-title">Sign in to Parley</h1>
        {registered && !message && (
          <p className="notice notice-success" role="status" data-testid="register-success">
            Your account is ready. Sign in to start chatting.
          </p>
        )}
        {reason && !message && (
          <p className="notice notice-warning" role="status" data-testid="logout-reason">{reason}</p>
        )}
        {message && <p className="notice notice-error" role="alert" data-testid="login-error">{message}</p>}
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          testid="login-email"
          autoFocus
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          testid="login-password"
        />
        <button className="button button-primary button-block" type="submit" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="auth-switch">
          New here? <a href="/register" onClick={linkClick} data-testid="register-link">Create an account</a>
        </p>
      </form>
    </main>
  );
}
