// Contract §3.2 (CONNECT authentication), §3.5 (duplicate login), §2.1 logout → session_ended, §4 (idle sessions).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startServer, api, registerUser, login, createRoom, signJwt, decodeJwtPayload, tamper,
} from '../lib/server.mjs';
import { connectClient, connectError, joinRoom, sendText, sleep, SETTLE_MS } from './sio-helpers.mjs';

const T = { timeout: 30000 };
const JWT_SECRET = 'parley-compat-test-secret-0123456789abcdef0123';
const SESSION_EXPIRED = { code: 'SESSION_EXPIRED', message: '세션이 만료되었습니다. 다시 로그인해주세요.' };

describe('CONNECT authentication (§3.2)', () => {
  let srv; let a;
  before(async () => { srv = await startServer({ args: ['--jwt-secret', JWT_SECRET] }); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('a valid token + sessionId connects (websocket and polling)', T, async (t) => {
    const u1 = await registerUser(a);
    const u2 = await registerUser(a);
    const ws = await connectClient(t, srv.url, u1, { transports: ['websocket'], label: 'websocket' });
    assert.equal(ws.connected, true);
    assert.equal(typeof ws.id, 'string');
    const poll = await connectClient(t, srv.url, u2, { transports: ['polling'], label: 'polling' });
    assert.equal(poll.connected, true);
    assert.notEqual(poll.id, ws.id);
  });

  test('missing token and/or sessionId → "Authentication error"', T, async () => {
    const u = await registerUser(a);
    for (const auth of [undefined, {}, { token: u.token }, { sessionId: u.sessionId }, { token: null, sessionId: u.sessionId }, { token: u.token, sessionId: null }]) {
      const err = await connectError(srv.url, auth);
      assert.equal(err.message, 'Authentication error', `auth=${JSON.stringify(auth)}`);
    }
  });

  test('a bad, tampered, foreign-key or expired JWT → "Invalid token"', T, async () => {
    const u = await registerUser(a);
    const p = decodeJwtPayload(u.token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt({ ...p, iat: now - 2 * 86400, exp: now - 60 }, JWT_SECRET);
    const foreign = await signJwt(p, `${JWT_SECRET}-not-the-server-secret`);
    for (const token of ['not-a-jwt', 'a.b.c', tamper(u.token), foreign, expired]) {
      const err = await connectError(srv.url, { token, sessionId: u.sessionId });
      assert.equal(err.message, 'Invalid token', `token=${token.slice(0, 20)}…`);
    }
  });

  // Note: with the (rec) JWT-claim fallback, a CURRENT token connects whatever auth.sessionId says,
  // so "wrong sessionId" is tested with tokens whose sessionId claim is not the stored session either.
  test('a sessionId that is not the stored session → "Invalid session"', T, async () => {
    const u = await registerUser(a);
    const stale = u.token; // its claim is the register session
    await login(a, u); // replaces the stored session
    for (const sessionId of [randomBytes(16).toString('hex'), u.body.sessionId]) {
      const err = await connectError(srv.url, { token: stale, sessionId });
      assert.equal(err.message, 'Invalid session', `sessionId=${sessionId}`);
    }
    // a well-signed token whose claim names a session that never existed
    const now = Math.floor(Date.now() / 1000);
    const forged = await signJwt({ sub: u.email, userId: u.id, sessionId: randomBytes(16).toString('hex'), iat: now, exp: now + 3600 }, JWT_SECRET);
    const err = await connectError(srv.url, { token: forged, sessionId: randomBytes(16).toString('hex') });
    assert.equal(err.message, 'Invalid session');
  });

  test('the pair from before a new login → "Invalid session"', T, async () => {
    const u = await registerUser(a);
    const old = { token: u.token, sessionId: u.sessionId };
    await login(a, u);
    const err = await connectError(srv.url, old);
    assert.equal(err.message, 'Invalid session');
  });

  test('after logout the pair → "Invalid session"', T, async () => {
    const u = await registerUser(a);
    assert.equal((await a.post('/api/auth/logout', undefined, { token: u.token, sessionId: u.sessionId })).status, 200);
    const err = await connectError(srv.url, { token: u.token, sessionId: u.sessionId });
    assert.equal(err.message, 'Invalid session');
  });

  test('(rec) refreshed token + the OLD sessionId (frontend bug) is accepted via the JWT claim', T, async (t) => {
    const u = await registerUser(a);
    const r = await a.post('/api/auth/refresh-token', undefined, { token: u.token, sessionId: u.sessionId });
    assert.equal(r.status, 200);
    const c = await connectClient(t, srv.url, null, { label: 'refreshed', auth: { token: r.body.token, sessionId: u.sessionId } });
    assert.equal(c.connected, true);
  });

  test('a deleted user cannot connect', T, async () => {
    const u = await registerUser(a);
    assert.equal((await a.del('/api/users/account', { token: u.token })).status, 200);
    const err = await connectError(srv.url, { token: u.token, sessionId: u.sessionId });
    assert.ok(['User not found', 'Invalid session'].includes(err.message), err.message);
  });
});

describe('duplicate login (§3.5) and logout', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('old socket: duplicate_login on the new CONNECT, SESSION_EXPIRED on its next chatMessage, session_ended after ~10 s', { timeout: 40000 }, async (t) => {
    const u = await registerUser(a, { name: '중복 로그인' });
    const room = await createRoom(a, u, { name: 'Dup Login Room' });
    const old = await connectClient(t, srv.url, u, { label: 'old' });
    await joinRoom(old, room._id);
    await sendText(old, room._id, 'first device message');

    const mLogin = old.mark();
    const l2 = await login(a, u.email, u.password);
    await sleep(SETTLE_MS);
    assert.equal(old.count('duplicate_login', () => true, mLogin), 0, 'not notified at login time');
    assert.equal(old.connected, true);

    const mNew = old.mark();
    const connectedAt = Date.now();
    const fresh = await connectClient(t, srv.url, null, { label: 'new', auth: { token: l2.token, sessionId: l2.sessionId } });
    const dup = await old.waitFor('duplicate_login', () => true, { after: mNew });
    assert.equal(dup.data.type, 'new_login_attempt');
    assert.ok('deviceInfo' in dup.data, 'deviceInfo present');
    assert.equal(typeof dup.data.ipAddress, 'string');
    assert.equal(typeof dup.data.timestamp, 'number');
    assert.ok(Math.abs(dup.data.timestamp - Date.now()) < 60000, 'timestamp is epoch ms');
    assert.equal(old.connected, true, 'the old socket is not disconnected');

    await joinRoom(fresh, room._id);
    const mFresh = fresh.mark();
    const mOld = old.mark();
    old.emit('chatMessage', { room: room._id, type: 'text', content: 'from the stale device' });
    const err = await old.waitFor('error', () => true, { after: mOld });
    assert.deepEqual(err.data, SESSION_EXPIRED);
    await sleep(SETTLE_MS);
    assert.equal(fresh.count('message', (m) => m.content === 'from the stale device', mFresh), 0, 'nothing was broadcast');
    assert.equal(fresh.count('duplicate_login'), 0, 'the new socket is not notified');

    // the new device chats normally
    const m = await sendText(fresh, room._id, 'second device message');
    assert.equal(m.content, 'second device message');

    const ended = await old.waitFor('session_ended', () => true, { after: mNew, timeout: 15000 });
    const elapsed = Date.now() - connectedAt;
    assert.deepEqual(ended.data, { reason: 'duplicate_login', message: '다른 기기에서 로그인하여 현재 세션이 종료되었습니다.' });
    assert.ok(elapsed >= 8500 && elapsed <= 14000, `session_ended ~10 s after the new connect (got ${elapsed} ms)`);
    assert.equal(fresh.count('session_ended'), 0, 'the new socket keeps its session');
  });

  test('logout emits session_ended {reason:"logout"} to the user\'s sockets only', T, async (t) => {
    const u = await registerUser(a);
    const other = await registerUser(a);
    const c = await connectClient(t, srv.url, u, { label: 'logging-out' });
    const o = await connectClient(t, srv.url, other, { label: 'bystander' });
    const m = c.mark();
    const r = await a.post('/api/auth/logout', undefined, { token: u.token, sessionId: u.sessionId });
    assert.equal(r.status, 200);
    const ended = await c.waitFor('session_ended', () => true, { after: m });
    assert.deepEqual(ended.data, { reason: 'logout', message: '로그아웃되었습니다.' });
    await sleep(SETTLE_MS);
    assert.equal(o.count('session_ended'), 0);
  });
});

describe('idle sessions on sockets (--session-idle-ms 1500)', { concurrency: true }, () => {
  let srv; let a;
  before(async () => { srv = await startServer({ args: ['--session-idle-ms', '1500'] }); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('CONNECT with an idle-expired session → "Invalid session"', T, async () => {
    const u = await registerUser(a);
    await sleep(2300);
    const err = await connectError(srv.url, { token: u.token, sessionId: u.sessionId });
    assert.equal(err.message, 'Invalid session');
  });

  test('a socket that only reads gets SESSION_EXPIRED on its next send', T, async (t) => {
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    // reads (fetches) do not refresh activity
    for (let i = 0; i < 5; i += 1) {
      await sleep(500);
      const m = c.mark();
      c.emit('fetchPreviousMessages', { roomId: room._id, limit: 30 });
      await c.waitFor('previousMessagesLoaded', () => true, { after: m });
    }
    const m = c.mark();
    c.emit('chatMessage', { room: room._id, type: 'text', content: 'too late' });
    const err = await c.waitFor('error', () => true, { after: m });
    assert.deepEqual(err.data, SESSION_EXPIRED);
  });

  test('chatMessage refreshes activity: sending every 500 ms keeps the session alive', T, async (t) => {
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    for (let i = 0; i < 5; i += 1) {
      await sleep(500);
      await sendText(c, room._id, `keepalive ${i}`);
    }
    // REST with the same session works too (activity was refreshed by the socket sends)
    assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200);
  });
});
