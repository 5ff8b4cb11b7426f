import { useEffect, useRef, useState } from 'react';
import { ApiError, del, get, put, upload } from '../lib/api.js';
import { updateUser } from '../lib/auth.js';
import { toast } from '../lib/toasts.js';
import Avatar from '../components/Avatar.jsx';
import Field from '../components/Field.jsx';

const IMAGE_TYPES = 'image/jpeg,image/png,image/gif,image/webp,.jpg,.jpeg,.png,.gif,.webp';

export default function Profile({ user }) {
  const [name, setName] = useState(user.name);
  const [nameErr, setNameErr] = useState('');
  const [nameMsg, setNameMsg] = useState('');
  const [savingName, setSavingName] = useState(false);

  const [pw, setPw] = useState({ current: '', next: '', confirm: '' });
  const [pwErr, setPwErr] = useState({});
  const [pwMsg, setPwMsg] = useState(null); // {ok, text}
  const [savingPw, setSavingPw] = useState(false);

  const [imgBusy, setImgBusy] = useState(false);
  const [imgProgress, setImgProgress] = useState(0);
  const fileRef = useRef(null);

  // Fresh copy of the profile (another device may have changed it).
  useEffect(() => {
    get('/api/users/profile').then((b) => {
      if (b?.user) {
        updateUser({ name: b.user.name, email: b.user.email, profileImage: b.user.profileImage || '' });
        setName(b.user.name);
      }
    }).catch(() => {});
  }, []);

  async function saveName(e) {
    e.preventDefault();
    setNameErr('');
    setNameMsg('');
    setSavingName(true);
    try {
      const b = await put('/api/users/profile', { name });
      updateUser({ name: b.user?.name ?? name });
      setNameMsg(b.message || 'Profile updated.');
    } catch (err) {
      if (err instanceof ApiError) setNameErr(err.fieldErrors().name || err.message);
      else setNameErr('Could not save the name.');
    } finally {
      setSavingName(false);
    }
  }

  async function savePassword(e) {
    e.preventDefault();
    setPwMsg(null);
    const errs = {};
    if (pw.next.length < 6) errs.next = 'The new password needs at least 6 characters.';
    if (pw.confirm !== pw.next) errs.confirm = 'The passwords do not match.';
    setPwErr(errs);
    if (Object.keys(errs).length) return;
    setSavingPw(true);
    try {
      const b = await put('/api/users/profile', { currentPassword: pw.current, newPassword: pw.next });
      setPw({ current: '', next: '', confirm: '' });
      setPwMsg({ ok: true, text: b.message || 'Password changed.' });
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setPwErr({ current: fields.currentPassword, next: fields.newPassword || fields.password });
      setPwMsg({ ok: false, text: err.message || 'Could not change the password.' });
    } finally {
      setSavingPw(false);
    }
  }

  async function chooseImage(e) {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    if (!f.type.startsWith('image/')) { toast('Choose an image file (JPG, PNG, GIF or WebP).', { kind: 'error' }); return; }
    if (f.size > 5 * 1024 * 1024) { toast('The image must be 5 MB or smaller.', { kind: 'error' }); return; }
    setImgBusy(true);
    setImgProgress(0);
    try {
      const b = await upload('/api/users/profile-image', 'profileImage', f, { onProgress: setImgProgress }).promise;
      updateUser({ profileImage: b.imageUrl || '' });
      toast(b.message || 'Profile image updated.', { kind: 'success' });
    } catch (err) {
      toast(err.message || 'The upload failed.', { kind: 'error' });
    } finally {
      setImgBusy(false);
    }
  }

  async function deleteImage() {
    setImgBusy(true);
    try {
      const b = await del('/api/users/profile-image');
      updateUser({ profileImage: '' });
      toast(b.message || 'Profile image removed.', { kind: 'success' });
    } catch (err) {
      toast(err.message || 'Could not remove the image.', { kind: 'error' });
    } finally {
      setImgBusy(false);
    }
  }

  return (
    <main className="page page-narrow" aria-labelledby="profile-title">
      <h1 id="profile-title">Your profile</h1>

      <section className="card profile-image" aria-labelledby="img-title">
        <h2 id="img-title">Profile image</h2>
        <div className="profile-image-row">
          <Avatar user={user} size={88} testid="profile-image" />
          <div className="profile-image-actions">
            <input ref={fileRef} type="file" accept={IMAGE_TYPES} className="sr-only" onChange={chooseImage} tabIndex={-1} aria-hidden="true" data-testid="profile-image-input" />
            <button type="button" className="button" onClick={() => fileRef.current?.click()} disabled={imgBusy} data-testid="profile-image-upload">
              {user.profileImage ? 'Change image' : 'Upload image'}
            </button>
            {user.profileImage && (
              <button type="button" className="button button-danger" onClick={deleteImage} disabled={imgBusy} data-testid="profile-image-delete">
                Remove
              </button>
            )}
            {imgBusy && imgProgress > 0 && imgProgress < 1 && (
              <progress max={1} value={imgProgress} aria-label="Uploading the image" />
            )}
            <p className="field-hint">JPG, PNG, GIF or WebP, up to 5 MB.</p>
          </div>
        </div>
      </section>

      <form className="card" onSubmit={saveName} noValidate aria-labelledby="name-title">
        <h2 id="name-title">Account</h2>
        <div className="field">
          <label htmlFor="profile-email">Email</label>
          <input id="profile-email" value={user.email} readOnly data-testid="profile-email" />
        </div>
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={nameErr} testid="profile-name" autoComplete="name" />
        {nameMsg && <p className="notice notice-success" role="status" data-testid="profile-success">{nameMsg}</p>}
        <button type="submit" className="button button-primary" disabled={savingName || name === user.name} data-testid="profile-save">
          {savingName ? 'Saving…' : 'Save name'}
        </button>
      </form>

      <form className="card" onSubmit={savePassword} noValidate aria-labelledby="pw-title">
        <h2 id="pw-title">Change password</h2>
        <Field label="Current password" type="password" autoComplete="current-password" value={pw.current} onChange={(e) => setPw({ ...pw, current: e.target.value })} error={pwErr.current} testid="password-current" />
        <Field label="New password" type="password" autoComplete="new-password" value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} error={pwErr.next} hint="At least 6 characters." testid="password-new" />
        <Field label="Confirm new password" type="password" autoComplete="new-password" value={pw.confirm} onChange={(e) => setPw({ ...pw, confirm: e.target.value })} error={pwErr.confirm} testid="password-confirm" />
        {pwMsg && (
          <p className={`notice ${pwMsg.ok ? 'notice-success' : 'notice-error'}`} role={pwMsg.ok ? 'status' : 'alert'} data-testid="password-message">
            {pwMsg.text}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={savingPw} data-testid="password-save">
          {savingPw ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </main>
  );
}
