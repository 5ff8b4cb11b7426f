// Socket.IO helpers for the compat suites: a recording client built on the real socket.io-client.
import { io } from 'socket.io-client';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HEX24, BANNED_WORDS } from '../lib/server.mjs';

let bannedList = null;
/** Does `text` contain a banned word (§5.2 rule)? Used to guard test fixtures. */
export function containsBanned(text) {
  if (!bannedList) bannedList = readFileSync(BANNED_WORDS, 'utf8').split(/\r?\n/).map((w) => w.trim()).filter(Boolean);
  // words are [a-z0-9] only, so a match lies inside one maximal [a-z0-9] run
  const runs = (String(text).trim().toLowerCase().match(/[a-z0-9]+/g) || []).join('\n');
  return runs.length > 0 && bannedList.some((w) => runs.includes(w));
}

export const DEFAULT_WAIT_MS = 5000;
/** How long to wait before concluding that something did NOT arrive. */
export const SETTLE_MS = 400;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A connected socket that records every server event in order.
 * - `mark()` → position; pass as `after` to only look at later events.
 * - `waitFor(name, pred, {after, timeout})` → {index, args, data: args[0]}.
 * - Any `error` event that no `waitFor('error')` claims fails the waiting call at once and the test at its end.
 */
export class Client {
  constructor(socket, label) {
    this.socket = socket;
    this.label = label;
    this.events = [];
    this.claimed = new Set();
    this.waiters = new Set();
    this.disconnects = [];
    socket.onAny((name, ...args) => { this.events.push({ name, args, at: Date.now() }); this._wake(); });
    socket.on('disconnect', (reason) => { this.disconnects.push(reason); this._wake(); });
  }

  get id() { return this.socket.id; }
  get connected() { return this.socket.connected; }
  emit(name, ...args) { this.socket.emit(name, ...args); }
  mark() { return this.events.length; }

  _wake() { for (const w of [...this.waiters]) w(); }

  unclaimedErrors() {
    return this.events.filter((e, i) => e.name === 'error' && !this.claimed.has(i));
  }

  /** All events named `name` (matching pred) from position `after`. */
  all(name, pred = () => true, after = 0) {
    const out = [];
    for (let i = after; i < this.events.length; i += 1) {
      const e = this.events[i];
      if (e.name === name && pred(e.args[0], e.args)) out.push({ index: i, args: e.args, data: e.args[0] });
    }
    return out;
  }

  count(name, pred = () => true, after = 0) { return this.all(name, pred, after).length; }

  waitFor(name, pred = () => true, { after = 0, timeout = DEFAULT_WAIT_MS } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        for (let i = after; i < this.events.length; i += 1) {
          const e = this.events[i];
          if (e.name === name && !(name === 'error' && this.claimed.has(i)) && pred(e.args[0], e.args)) {
            if (name === 'error') this.claimed.add(i);
            done(); resolve({ index: i, args: e.args, data: e.args[0] });
            return;
          }
        }
        if (name !== 'error') {
          const bad = this.unclaimedErrors();
          if (bad.length) { done(); reject(new Error(`[${this.label}] unexpected 'error' event while waiting for '${name}': ${JSON.stringify(bad.map((b) => b.args))}`)); }
        }
      };
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      timer = setTimeout(() => {
        done();
        const seen = this.events.slice(after).map((e) => e.name);
        reject(new Error(`[${this.label}] timed out after ${timeout} ms waiting for '${name}'; events since mark: ${JSON.stringify(seen)}`));
      }, timeout);
      this.waiters.add(check);
      check();
    });
  }

  /** Wait for `n` events named `name` (matching pred) after `after`. */
  async waitForN(name, n, pred = () => true, { after = 0, timeout = DEFAULT_WAIT_MS } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const got = this.all(name, pred, after);
      if (got.length >= n) return got;
      const bad = this.unclaimedErrors();
      if (bad.length && name !== 'error') throw new Error(`[${this.label}] unexpected 'error' event: ${JSON.stringify(bad.map((b) => b.args))}`);
      if (Date.now() > deadline) {
        throw new Error(`[${this.label}] timed out waiting for ${n} '${name}' (got ${got.length})`);
      }
      await new Promise((r) => {
        const w = () => { this.waiters.delete(w); clearTimeout(tm); r(); };
        const tm = setTimeout(w, Math.max(1, Math.min(100, deadline - Date.now())));
        this.waiters.add(w);
      });
    }
  }

  /** Emit and wait for the answer event (marking first). */
  async request(emitName, payload, answerName, pred, opts = {}) {
    const m = this.mark();
    this.emit(emitName, payload);
    return this.waitFor(answerName, pred, { after: m, ...opts });
  }

  close() { this.socket.disconnect(); this.socket.io?.engine?.close?.(); }
}

/** Default transports ['websocket']; pass `transports: undefined` explicitly for the client's own default. */
function baseOptions(auth, opts) {
  const { transports, ...rest } = opts;
  const o = { auth, forceNew: true, reconnection: false, timeout: 5000, ...rest };
  if (!('transports' in opts)) o.transports = ['websocket'];
  else if (transports !== undefined) o.transports = transports;
  return o;
}

/**
 * Connect and wait for `connect` (throws on connect_error / timeout).
 * `t`: the node:test context; the socket is closed and checked for stray `error` events after the test.
 */
export async function connectClient(t, url, user, { label, auth, ...opts } = {}) {
  const a = auth ?? { token: user.token, sessionId: user.sessionId };
  const socket = io(url, baseOptions(a, opts));
  const c = new Client(socket, label || user?.name || 'client');
  if (t) {
    t.after(() => {
      c.close();
      const bad = c.unclaimedErrors();
      assert.equal(bad.length, 0, `[${c.label}] unexpected 'error' events: ${JSON.stringify(bad.map((b) => b.args))}`);
    });
  }
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); c.close(); reject(new Error(`[${c.label}] connect timed out`)); }, 8000);
    const onConnect = () => { cleanup(); resolve(); };
    const onError = (err) => { cleanup(); c.close(); reject(new Error(`[${c.label}] connect_error: ${err.message}`)); };
    const cleanup = () => { clearTimeout(timer); socket.off('connect', onConnect); socket.off('connect_error', onError); };
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
  return c;
}

/** Connect expecting a CONNECT_ERROR; returns the Error (its .message is the server's message). */
export async function connectError(url, auth, opts = {}) {
  const socket = io(url, baseOptions(auth, opts));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connect_error within 8 s')), 8000);
      socket.once('connect', () => { clearTimeout(timer); reject(new Error('connected, but a connect_error was expected')); });
      socket.once('connect_error', (err) => { clearTimeout(timer); resolve(err); });
    });
  } finally {
    socket.disconnect();
  }
}

// ---------------------------------------------------------------------------
// Message-shape helpers (§1 Message)

/** Assert a live text/system Message; returns it. `expect` gives the exact values to check. */
export function assertMessage(m, { room, content, type = 'text', sender, readers } = {}) {
  assert.equal(typeof m, 'object');
  assert.match(m._id, HEX24, 'message _id is 24 hex');
  if (room !== undefined) assert.equal(m.room, room);
  if (content !== undefined) assert.equal(m.content, content);
  assert.equal(m.type, type);
  assert.equal(typeof m.timestamp, 'number', 'timestamp is epoch ms (number)');
  assert.ok(Math.abs(Date.now() - m.timestamp) < 10 * 60 * 1000, 'timestamp is near now (epoch ms)');
  assert.ok(m.reactions && typeof m.reactions === 'object' && !Array.isArray(m.reactions), 'reactions is an object');
  assert.ok(Array.isArray(m.readers), 'readers is an array');
  if (readers !== undefined) assert.deepEqual(m.readers, readers);
  assert.deepEqual(m.metadata, {}, 'metadata is {} for text/system');
  if (type === 'system' || type === 'ai') assert.equal('sender' in m, false, `no sender on ${type} messages`);
  if (sender !== undefined) assert.deepEqual(m.sender, sender);
  assert.equal('file' in m, false, 'no file on text/system messages');
  assert.equal('aiType' in m, false, 'no aiType on text/system messages');
  assert.equal('mentions' in m, false, 'mentions is not sent');
  assert.equal('isDeleted' in m, false, 'isDeleted is not sent');
  return m;
}

export const joinedText = (name) => `${name}님이 입장하였습니다.`;
export const leftText = (name) => `${name}님이 퇴장하였습니다.`;

/**
 * Socket join: emit joinRoom and wait for joinRoomSuccess (returns its payload).
 */
export async function joinRoom(c, roomId, opts = {}) {
  const m = c.mark();
  c.emit('joinRoom', roomId);
  const ok = await c.waitFor('joinRoomSuccess', (d) => d && d.roomId === roomId, { after: m, ...opts });
  return { ...ok, mark: m };
}

/** Send a text message and wait for its echo on the sender; returns the Message. */
export async function sendText(c, roomId, content, opts = {}) {
  assert.ok(!containsBanned(content), `test bug: fixture text contains a banned word: ${content.slice(0, 80)}`);
  const m = c.mark();
  c.emit('chatMessage', { room: roomId, type: 'text', content });
  const echo = await c.waitFor('message', (d) => d && d.type === 'text' && d.content === content.trim(), { after: m, ...opts });
  return echo.data;
}

/** fetchPreviousMessages → previousMessagesLoaded payload (also checks messageLoadStart came first). */
export async function fetchPrevious(c, payload, opts = {}) {
  const m = c.mark();
  c.emit('fetchPreviousMessages', payload);
  const loaded = await c.waitFor('previousMessagesLoaded', () => true, { after: m, ...opts });
  const start = c.all('messageLoadStart', () => true, m);
  assert.ok(start.length >= 1 && start[0].index < loaded.index, 'messageLoadStart precedes previousMessagesLoaded');
  return loaded.data;
}
