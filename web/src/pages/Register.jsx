import { useState } from 'react';
import { post, ApiError } from '../lib/api.js';
import { linkClick, navigate } from '../lib/router.js';
import Field from '../components/Field.jsx';

export default function Register() {
  const [form, setForm] = useState({ name: '', email: '', password: '', confirm: '' });
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e) {
    e.preventDefault();
    setErrors({});
    setMessage('');
    if (form.confirm !== form.password) {
      setErrors({ confirm: 'The passwords do not match.' });
      return;
    }
    setBusy(true);
    try {
      await post('/api/auth/register', { name: form.name, email: form.email, password: form.password });
      navigate(`/?registered=1&email=${encodeURIComponent(form.email.trim())}`, { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        const fields = err.fieldErrors();
        if (err.status === 409) fields.email = err.message;
        setErrors(fields);
        setMessage(err.message);
      } else setMessage('Registration failed. Please try again.');
    }
  }

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="register-title">
        <div className="brand-mark" aria-hidden="true">P</div>
        <h1 id="register-title">Create your account</h1>
        {message && <p className="notice notice-error" role="alert" data-testid="register-error">{message}</p>}
        <Field label="Name" name="name" autoComplete="name" value={form.name} onChange={set('name')} error={errors.name} testid="register-name" autoFocus />
        <Field label="Email" type="email" name="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.email} testid="register-email" />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          hint="At least 6 characters."
          testid="register-password"
        />
        <Field
          label="Confirm password"
          type="password"
          name="confirm"
          autoComplete="new-password"
          value={form.confirm}
          onChange={set('confirm')}
          error={errors.confirm}
          testid="register-confirm"
        />
        <button className="button button-primary button-block" type="submit" disabled={busy} data-testid="register-submit">
          {busy ? 'Creating account…' : 'Create account'}
        </button>
        <p className="auth-switch">
          Already have an account? <a href="/" onClick={linkClick} data-testid="login-link">Sign in</a>
        </p>
      </form>
    </main>
  );
}
