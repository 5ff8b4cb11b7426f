// Shared harness for the black-box suites (tests/integration, tests/compat).
// Node built-ins only. Everything talks to 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const SERVER_BIN = process.env.PARLEY_SERVER || path.join(REPO_ROOT, 'build', 'parley-server');
export const BANNED_WORDS = path.resolve(REPO_ROOT, '..', 'shared', 'spec', 'banned_words.txt');

const READY_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 10000;
const LOG_TAIL = 16384;

// ---------------------------------------------------------------------------
// Leak protection: every child we spawn is SIGKILLed (and its temp dir removed)
// if this test process goes away without stopping it.
const liveChildren = new Set();
const ownedDirs = new Set();
function emergencyCleanup() {
  for (const c of liveChildren) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  liveChildren.clear();
  for (const d of ownedDirs) { try { rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
  ownedDirs.clear();
}
process.on('exit', emergencyCleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { emergencyCleanup(); process.exit(128 + (os.constants.signals[sig] || 1)); });
}

function tail(s) { return s.length > LOG_TAIL ? s.slice(-LOG_TAIL) : s; }

function spawnOnce(argv) {
  return new Promise((resolve, reject) => {
    if (!existsSync(SERVER_BIN)) {
      reject(new Error(`parley-server binary not found at ${SERVER_BIN} (set PARLEY_SERVER)`));
      return;
    }
    const child = spawn(SERVER_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child);
    const proc = { child, stdout: '', stderr: '', exitCode: undefined, signal: undefined };
    proc.exited = new Promise((res) => {
      child.once('exit', (code, signal) => {
        proc.exitCode = code; proc.signal = signal;
        liveChildren.delete(child);
        res({ code, signal });
      });
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      try { child.kill('SIGKILL'); } catch { /* ignore */ }
      reject(new Error(`parley-server did not print PARLEY_READY within ${READY_TIMEOUT_MS} ms\n` +
        `argv: ${argv.join(' ')}\nstdout:\n${tail(proc.stdout)}\nstderr:\n${tail(proc.stderr)}`));
    }, READY_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => { proc.stderr = tail(proc.stderr + d); });
    let lineBuf = '';
    child.stdout.on('data', (d) => {
      proc.stdout = tail(proc.stdout + d);
      if (settled) return;
      lineBuf += d;
      const m = /^PARLEY_READY http=(\d+) ws=(\d+)\s*$/m.exec(lineBuf);
      if (m) {
        settled = true;
        clearTimeout(timer);
        proc.port = Number(m[1]);
        proc.wsPort = Number(m[2]);
        resolve(proc);
      }
    });
    child.once('error', (err) => {
      if (settled) return;
      settled = true; clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true; clearTimeout(timer);
      reject(new Error(`parley-server exited (code=${code}, signal=${signal}) before PARLEY_READY\n` +
        `argv: ${argv.join(' ')}\nstdout:\n${tail(proc.stdout)}\nstderr:\n${tail(proc.stderr)}`));
    });
  });
}

async function waitExit(proc, ms) {
  let t;
  const to = new Promise((res) => { t = setTimeout(() => res(null), ms); });
  const r = await Promise.race([proc.exited, to]);
  clearTimeout(t);
  return r;
}

/**
 * Flags every server of this run gets (before the test's own, which win): PARLEY_SERVER_ARGS,
 * split on whitespace (tests/run-node-suites-redis sets `--storage redis --redis-nodes …`).
 * With PARLEY_REDIS_PREFIX_PER_SERVER=1 each startServer() also gets a key prefix of its own
 * (kept across restart()), so servers sharing one Redis Cluster see a fresh database each, as
 * they would with a fresh data directory.
 */
// The store the suites run on: tests/run-node-suites-redis passes --storage redis through
// PARLEY_SERVER_ARGS; everything else is the embedded SQLite store.
export const STORAGE = /--storage[ =]redis\b/.test(process.env.PARLEY_SERVER_ARGS || '') ? 'redis' : 'sqlite';

function extraServerArgs() {
  const args = (process.env.PARLEY_SERVER_ARGS || '').split(/\s+/).filter(Boolean);
  if (process.env.PARLEY_REDIS_PREFIX_PER_SERVER === '1') {
    args.push('--redis-key-prefix', `t${randomBytes(6).toString('hex')}:`);
  }
  return args;
}

/**
 * Start parley-server on an ephemeral port with a fresh temp data dir.
 * @param {{args?: string[], dataDir?: string, keepDataDir?: boolean, bannedWords?: string|null}} opts
 *   args: extra flags (appended after the defaults, so they win);
 *   dataDir: reuse this dir (then it is never removed by the harness).
 */
export async function startServer({ args = [], dataDir, keepDataDir = false, bannedWords = BANNED_WORDS } = {}) {
  const ownsDir = !dataDir;
  const dir = dataDir || mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  if (ownsDir && !keepDataDir) ownedDirs.add(dir);
  const baseArgs = [
    '--host', '127.0.0.1', '--port', '0', '--ws-port', '0',
    '--data-dir', dir, '--log-level', 'warn',
    // bannedWords null: no flag at all (the server's built-in default list)
    ...(bannedWords === null ? [] : ['--banned-words', bannedWords]),
    ...extraServerArgs(),
  ];
  let currentArgs = [...baseArgs, ...args];
  let proc = await spawnOnce(currentArgs);

  const handle = {
    dataDir: dir,
    get port() { return proc.port; },
    get wsPort() { return proc.wsPort; },
    get url() { return `http://127.0.0.1:${proc.port}`; },
    get pid() { return proc.child.pid; },
    get running() { return proc.exitCode === undefined; },
    logs() {
      const exit = proc.exitCode === undefined ? 'running' : `exited: code=${proc.exitCode}, signal=${proc.signal}`;
      return { stdout: proc.stdout, stderr: proc.stderr, exit };
    },

    /** SIGTERM, wait for exit, assert exit code 0. Removes the temp dir (if owned). */
    async stop({ removeDir = true } = {}) {
      try {
        await gracefulStop(proc);
      } finally {
        if (removeDir) cleanupDir();
      }
    },
    /** SIGKILL immediately (simulated crash); data dir is kept for restart(). */
    async kill9() {
      if (proc.exitCode === undefined) {
        proc.child.kill('SIGKILL');
        await waitExit(proc, STOP_TIMEOUT_MS);
      }
    },
    /** Stop (gracefully, if still running) and start again on the same data dir. */
    async restart(extraArgs = []) {
      if (proc.exitCode === undefined) await gracefulStop(proc);
      currentArgs = [...baseArgs, ...args, ...extraArgs];
      proc = await spawnOnce(currentArgs);
      return handle;
    },
  };

  function cleanupDir() {
    if (ownsDir && !keepDataDir) {
      try { rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
      ownedDirs.delete(dir);
    }
  }

  return handle;
}

async function gracefulStop(proc) {
  if (proc.exitCode === undefined) {
    proc.child.kill('SIGTERM');
    const r = await waitExit(proc, STOP_TIMEOUT_MS);
    if (!r) {
      proc.child.kill('SIGKILL');
      await waitExit(proc, STOP_TIMEOUT_MS);
      assert.fail(`parley-server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\nstderr:\n${tail(proc.stderr)}`);
    }
  }
  assert.equal(proc.exitCode, 0,
    `parley-server exit code after SIGTERM should be 0 (got code=${proc.exitCode}, signal=${proc.signal})\n` +
    `stderr:\n${tail(proc.stderr)}`);
}

// ---------------------------------------------------------------------------
// HTTP helpers

function parseBody(text, contentType) {
  if (text === '') return text;
  if ((contentType || '').includes('json') || /^\s*[{[]/.test(text)) {
    try { return JSON.parse(text); } catch { /* fall through */ }
  }
  return text;
}

/**
 * api(url) → { request, get, post, put, del, options, head }.
 * Each returns {status, headers (Headers), body (parsed JSON or text)}.
 * opts: { token, tokenVia: 'x-auth-token'|'query'|'bearer', sessionId, headers, query, rawBody, timeoutMs }
 *   body !== undefined is sent as JSON; rawBody is sent verbatim (with headers you choose).
 */
export function api(target) {
  // target: a base URL string, or a startServer() handle (URL resolved per request, so it follows
  // restarts, and a dead server's exit status + stderr are added to connection errors).
  const baseOf = () => (typeof target === 'string' ? target : target.url);
  async function request(method, p, body, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const u = new URL(p, baseOf());
    for (const [k, v] of Object.entries(opts.query || {})) u.searchParams.set(k, String(v));
    if (opts.token !== undefined) {
      const via = opts.tokenVia || 'x-auth-token';
      if (via === 'x-auth-token') headers['x-auth-token'] = opts.token;
      else if (via === 'bearer') headers.Authorization = `Bearer ${opts.token}`;
      else if (via === 'query') u.searchParams.set('token', opts.token);
      else throw new Error(`bad tokenVia ${via}`);
    }
    if (opts.sessionId !== undefined) headers['x-session-id'] = opts.sessionId;
    let payload;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(u, { method, headers, body: payload, signal: AbortSignal.timeout(opts.timeoutMs ?? 10000) });
    } catch (err) {
      const why = err.cause ? `${err.cause.code || ''} ${err.cause.message || err.cause}`.trim() : err.message;
      let extra = ' (is the server still running?)';
      if (typeof target === 'object' && target.running) await new Promise((r) => setTimeout(r, 200)); // let an exit event land
      if (typeof target === 'object' && target.running === false) {
        const { exit, stderr } = target.logs();
        extra = ` — parley-server is not running (${exit})\nstderr tail:\n${stderr.slice(-2000)}`;
      }
      throw new Error(`${method} ${u.pathname}${u.search} failed: ${why}${extra}`, { cause: err });
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: parseBody(text, res.headers.get('content-type')), text };
  }
  return {
    get url() { return baseOf(); },
    request,
    get: (p, opts) => request('GET', p, undefined, opts),
    head: (p, opts) => request('HEAD', p, undefined, opts),
    del: (p, opts) => request('DELETE', p, undefined, opts),
    options: (p, opts) => request('OPTIONS', p, undefined, opts),
    post: (p, body, opts) => request('POST', p, body, opts),
    put: (p, body, opts) => request('PUT', p, body, opts),
  };
}

let userSeq = 0;
/** A unique, valid registration payload. */
export function newUserData(overrides = {}) {
  userSeq += 1;
  const tag = `${process.pid}-${userSeq}-${randomBytes(3).toString('hex')}`;
  return { name: `테스터${userSeq} User`, email: `user-${tag}@example.com`, password: 'secret123', ...overrides };
}

/**
 * Register a user (asserts 201). Returns {id, name, email, password, token, sessionId, user, body}.
 */
export async function registerUser(client, overrides = {}) {
  const a = client.request ? client : api(client);
  const data = newUserData(overrides);
  const r = await a.post('/api/auth/register', data);
  assert.equal(r.status, 201, `register should be 201, got ${r.status} ${JSON.stringify(r.body)}`);
  return {
    id: r.body.user?._id, name: data.name, email: data.email.toLowerCase(), password: data.password,
    token: r.body.token, sessionId: r.body.sessionId, user: r.body.user, body: r.body,
  };
}

/** Log in (asserts 200). Returns {token, sessionId, user, body, headers}; if `user` object passed, updates it too. */
export async function login(client, userOrEmail, password) {
  const a = client.request ? client : api(client);
  const email = typeof userOrEmail === 'string' ? userOrEmail : userOrEmail.email;
  const pw = password ?? userOrEmail.password;
  const r = await a.post('/api/auth/login', { email, password: pw });
  assert.equal(r.status, 200, `login should be 200, got ${r.status} ${JSON.stringify(r.body)}`);
  const out = { token: r.body.token, sessionId: r.body.sessionId, user: r.body.user, body: r.body, headers: r.headers };
  if (typeof userOrEmail === 'object') { userOrEmail.token = out.token; userOrEmail.sessionId = out.sessionId; }
  return out;
}

/** Create a room as `user` (asserts 201). Returns the Room (`data`). */
export async function createRoom(client, user, { name, password, ...extra } = {}) {
  const a = client.request ? client : api(client);
  const body = { name: name ?? `Room ${randomBytes(3).toString('hex')}`, ...extra };
  if (password !== undefined) body.password = password;
  const r = await a.post('/api/rooms', body, { token: user.token });
  assert.equal(r.status, 201, `create room should be 201, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

/** REST join (asserts 200). Returns the Room. */
export async function joinRoomRest(client, user, roomId, password) {
  const a = client.request ? client : api(client);
  const r = await a.post(`/api/rooms/${roomId}/join`, password === undefined ? {} : { password }, { token: user.token });
  assert.equal(r.status, 200, `join should be 200, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

// ---------------------------------------------------------------------------
// Contract shape helpers

export const HEX24 = /^[0-9a-f]{24}$/;
export const HEX32 = /^[0-9a-f]{32}$/;
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const UNAUTHORIZED = { success: false, code: 'UNAUTHORIZED', message: '인증이 필요합니다.' };

/** Expected UserSummary for a user created with registerUser (profileImage unset). */
export function summary(u, overrides = {}) {
  return { _id: u.id, id: u.id, name: u.name, email: u.email, profileImage: '', ...overrides };
}

/** ISO-8601 UTC timestamp string, parseable, within `withinMs` of now. */
export function assertIsoNear(v, withinMs = 120000, what = 'timestamp') {
  assert.equal(typeof v, 'string', `${what} should be a string`);
  assert.match(v, ISO_UTC, `${what} should be ISO-8601 UTC`);
  const t = Date.parse(v);
  assert.ok(Math.abs(Date.now() - t) <= withinMs, `${what} ${v} should be close to now`);
}

/** Error envelope `NNN "text"` from the contract: exact body. */
export function assertError(res, status, message, extra = {}) {
  assert.equal(res.status, status, `status (body: ${JSON.stringify(res.body)})`);
  assert.deepEqual(res.body, { success: false, message, ...extra });
}

/** Any error answer: status (or one of several) + envelope {success:false, message:string}. */
export function assertEnvelope(res, status) {
  if (Array.isArray(status)) assert.ok(status.includes(res.status), `status ${res.status} not in ${status} (body ${JSON.stringify(res.body)})`);
  else assert.equal(res.status, status, `status (body: ${JSON.stringify(res.body)})`);
  assert.equal(typeof res.body, 'object', `body should be a JSON object, got ${JSON.stringify(res.text)}`);
  assert.equal(res.body.success, false);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
}

const sortErrors = (errs) => [...errs].sort((a, b) => (a.field + a.message).localeCompare(b.field + b.message));

/**
 * 400 VALIDATION_ERROR with exactly these {field,message} pairs (order-insensitive).
 * opts.message: expected top-level message (undefined = don't check); opts.path: required path
 * (undefined = path optional, but if present must equal opts.requestPath).
 */
export function assertValidation(res, expectedErrors, { message = '입력값이 올바르지 않습니다.', path: p, requestPath } = {}) {
  assert.equal(res.status, 400, `status (body: ${JSON.stringify(res.body)})`);
  const b = res.body;
  assert.equal(b.success, false);
  assert.equal(b.code, 'VALIDATION_ERROR');
  if (message !== undefined) assert.equal(b.message, message);
  assert.ok(Array.isArray(b.errors), 'errors should be an array');
  for (const e of b.errors) assert.deepEqual(Object.keys(e).sort(), ['field', 'message'], `error entry ${JSON.stringify(e)}`);
  assert.deepEqual(sortErrors(b.errors), sortErrors(expectedErrors));
  if (p !== undefined) assert.equal(b.path, p);
  else if ('path' in b && requestPath !== undefined) assert.equal(b.path, requestPath);
  const allowed = new Set(['success', 'code', 'message', 'errors', 'path']);
  for (const k of Object.keys(b)) assert.ok(allowed.has(k), `unexpected key ${k} in validation body`);
}

/** Room as the contract describes it (isCreator optional, boolean). */
export function assertRoom(actual, expected) {
  const a = { ...actual };
  if ('isCreator' in a) { assert.equal(typeof a.isCreator, 'boolean', 'isCreator is a boolean'); delete a.isCreator; }
  assert.match(a._id, HEX24, 'room _id is 24 hex');
  assert.match(a.createdAt, ISO_UTC, 'room createdAt is ISO-8601 UTC');
  assert.deepEqual(a, { _id: a._id, createdAt: a.createdAt, recentMessageCount: 0, ...expected });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// JWT (HS256) for tests that start the server with a known --jwt-secret.
const b64url = (buf) => Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
export async function signJwt(payload, secret) {
  const { createHmac } = await import('node:crypto');
  const h = b64url(JSON.stringify({ alg: 'HS256' }));
  const p = b64url(JSON.stringify(payload));
  const s = b64url(createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${h}.${p}`).digest());
  return `${h}.${p}.${s}`;
}
export function decodeJwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}
/** Same token with a corrupted signature. */
export function tamper(token) {
  const parts = token.split('.');
  const sig = parts[2];
  const c = sig[0] === 'A' ? 'B' : 'A';
  return `${parts[0]}.${parts[1]}.${c}${sig.slice(1)}`;
}
