// The signed-in user, kept in localStorage as {id,name,email,profileImage,token,sessionId}.
import { useSyncExternalStore } from 'react';
import { createStore } from './store.js';

const KEY = 'user';

function load() {
  try {
    const u = JSON.parse(localStorage.getItem(KEY) || 'null');
    return u && u.token && u.sessionId && u.id ? u : null;
  } catch {
    return null;
  }
}

export const authStore = createStore(load());

// Another tab logging in or out changes this tab too.
window.addEventListener('storage', (e) => {
  if (e.key === KEY || e.key === null) authStore.set(load());
});

export function setUser(user) {
  if (user) localStorage.setItem(KEY, JSON.stringify(user));
  else localStorage.removeItem(KEY);
  authStore.set(user);
}

export function updateUser(patch) {
  const cur = authStore.get();
  if (cur) setUser({ ...cur, ...patch });
}

// Why the last session ended; shown once on the login page.
export const logoutReason = createStore('');

export function clearSession(reason = '') {
  logoutReason.set(reason);
  setUser(null);
}

export function useUser() {
  return useSyncExternalStore(authStore.subscribe, authStore.get);
}

export function userFromAuthResponse(body) {
  const u = body.user || {};
  return {
    id: u._id || u.id,
    name: u.name,
    email: u.email,
    profileImage: u.profileImage || '',
    token: body.token,
    sessionId: body.sessionId,
  };
}
