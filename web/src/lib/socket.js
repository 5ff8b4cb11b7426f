// The one Socket.IO connection of a signed-in tab, on the page's own origin (/socket.io/).
// Reconnects by itself; its state is observable for the header badge. The server's session
// rules (§3.2, §3.5) end the session on auth failures and on `session_ended`.
import { io } from 'socket.io-client';
import { useSyncExternalStore } from 'react';
import { createStore } from './store.js';
import { clearSession } from './auth.js';
import { toast } from './toasts.js';

// {state: 'connecting'|'connected'|'reconnecting'|'offline', attempt}
export const connectionStore = createStore({ state: 'offline', attempt: 0 });

let socket = null;
let owner = null;
// The current socket (or null) as an observable, so pages re-subscribe when it changes.
export const socketStore = createStore(null);

const AUTH_ERRORS = new Set(['Authentication error', 'Invalid token', 'Invalid session', 'User not found']);

export function getSocket() {
  return socket;
}

export function openSocket(user) {
  if (socket && owner === user.token + user.sessionId) return socket;
  closeSocket();
  owner = user.token + user.sessionId;
  connectionStore.set({ state: 'connecting', attempt: 0 });
  const s = io({
    path: '/socket.io/',
    auth: { token: user.token, sessionId: user.sessionId },
    transports: ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 10000,
  });
  socket = s;
  socketStore.set(s);
  s.on('connect', () => connectionStore.set({ state: 'connected', attempt: 0 }));
  s.on('disconnect', (reason) => {
    // The server closing us on purpose does not reconnect by itself.
    if (reason === 'io server disconnect') s.connect();
    connectionStore.set({ state: 'reconnecting', attempt: 0 });
  });
  s.io.on('reconnect_attempt', (n) => connectionStore.set({ state: 'reconnecting', attempt: n }));
  s.on('connect_error', (err) => {
    if (AUTH_ERRORS.has(err?.message)) {
      clearSession('Your session is no longer valid. Please sign in again.');
      return;
    }
    // A refused CONNECT (not a transport error) is not retried by socket.io itself.
    if (!s.active) setTimeout(() => socket === s && s.connect(), 2000);
    connectionStore.set((c) => ({ state: c.state === 'connected' ? 'reconnecting' : c.state, attempt: c.attempt }));
  });
  s.on('duplicate_login', () => {
    toast('Your account was signed in on another device. This session will end shortly.', {
      kind: 'warning',
      timeout: 10000,
    });
  });
  s.on('session_ended', (data) => {
    const why = data?.reason === 'duplicate_login'
      ? 'You were signed out because your account was signed in on another device.'
      : data?.message || 'Your session has ended.';
    clearSession(why);
  });
  return s;
}

export function closeSocket() {
  if (socket) {
    socket.removeAllListeners();
    socket.io.removeAllListeners();
    socket.disconnect();
  }
  socket = null;
  owner = null;
  socketStore.set(null);
  connectionStore.set({ state: 'offline', attempt: 0 });
}

export function useSocket() {
  return useSyncExternalStore(socketStore.subscribe, socketStore.get);
}

export function useConnection() {
  return useSyncExternalStore(connectionStore.subscribe, connectionStore.get);
}
