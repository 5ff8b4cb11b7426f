// Transient notices at the bottom of the screen.
import { useSyncExternalStore } from 'react';
import { createStore } from './store.js';

export const toastStore = createStore([]);
let seq = 0;

export function toast(message, { kind = 'info', code, timeout = 5000 } = {}) {
  const id = ++seq;
  toastStore.set((list) => [...list.slice(-4), { id, message, kind, code }]);
  if (timeout) setTimeout(() => dismissToast(id), timeout);
  return id;
}

export function dismissToast(id) {
  toastStore.set((list) => list.filter((t) => t.id !== id));
}

export function useToasts() {
  return useSyncExternalStore(toastStore.subscribe, toastStore.get);
}
