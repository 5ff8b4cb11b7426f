// Issue 15 on the socket side, with the real socket.io-client: markMessagesAsRead only inside the
// room it names, joinRoom to a password room, message/room/socket limits, session ends that reach
// live sockets (logout, account deletion, a new login, idle expiry) and close them, and the
// banned-word list that is on by default.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, registerUser, createRoom, joinRoomRest, login } from '../lib/server.mjs';
import { connectClient, connectError, joinRoom, sendText, sleep, SETTLE_MS } from './sio-helpers.mjs';

const T = { timeout: 30000 };

/** Resolves with the disconnect reason once `c` is disconnected (within `ms`). */
async function disconnectedWithin(c, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (c.disconnects.length) return c.disconnects[0];
    await sleep(20);
  }
  return null;
}

describe('limits and checks', () => {
  let srv; let a;
  before(async () => {
    srv = await startServer({ args: ['--max-message-chars', '20', '--max-rooms-per-socket', '2', '--max-sockets-per-user', '2', '--session-end-close-ms', '300'] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  test('markMessagesAsRead with a roomId: ids of another room → "Invalid room", nothing marked', T, async (t) => {
    const u = await registerUser(a);
    const mine = await createRoom(a, u);
    const other = await registerUser(a);
    const foreign = await createRoom(a, other);
    const co = await connectClient(t, srv.url, other, { label: 'other' });
    await joinRoom(co, foreign._id);
    const secret = await sendText(co, foreign._id, 'not for you');
    const c = await connectClient(t, srv.url, u, { label: 'u' });
    await joinRoom(c, mine._id);
    const m = co.mark();
    const err = await c.request('markMessagesAsRead', { roomId: mine._id, messageIds: [secret._id] }, 'error');
    assert.deepEqual(err.data, { message: 'Invalid room' });
    await sleep(SETTLE_MS);
    assert.equal(co.count('messagesRead', () => true, m), 0, 'no receipt reached the foreign room');
    // Without a roomId the first id names the room: not a participant there.
    const denied = await c.request('markMessagesAsRead', { messageIds: [secret._id] }, 'error');
    assert.deepEqual(denied.data, { message: 'Room access denied' });
    // Its own room's message with the right roomId still works.
    const own = await sendText(c, mine._id, 'mine');
    const read = await c.request('markMessagesAsRead', { roomId: mine._id, messageIds: [own._id] }, 'messagesRead');
    assert.deepEqual(read.data, { userId: u.id, messageIds: [own._id] });
  });

  test('joinRoom to a password room: refused unless already a participant (REST join checks the password)', T, async (t) => {
    const owner = await registerUser(a);
    const room = await createRoom(a, owner, { password: 'pw1234' });
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    const err = await c.request('joinRoom', room._id, 'joinRoomError');
    assert.deepEqual(err.data, { message: '비밀번호가 일치하지 않습니다.' });
    const wrong = await a.post(`/api/rooms/${room._id}/join`, { password: 'nope' }, { token: u.token });
    assert.equal(wrong.status, 401);
    await joinRoomRest(a, u, room._id, 'pw1234');
    const ok = await c.request('joinRoom', room._id, 'joinRoomSuccess');
    assert.equal(ok.data.roomId, room._id);
  });

  test('a message over --max-message-chars → MESSAGE_REJECTED, nothing broadcast', T, async (t) => {
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    const m = c.mark();
    const err = await c.request('chatMessage', { room: room._id, type: 'text', content: '가'.repeat(21) }, 'error');
    assert.deepEqual(err.data, { code: 'MESSAGE_REJECTED', message: '메시지가 너무 깁니다. (최대 20자)' });
    await sleep(SETTLE_MS);
    assert.equal(c.count('message', () => true, m), 0);
    const fits = await sendText(c, room._id, '가'.repeat(20));
    assert.equal(fits.content, '가'.repeat(20));
  });

  test('--max-rooms-per-socket: the third room → joinRoomError', T, async (t) => {
    const u = await registerUser(a);
    const rooms = [await createRoom(a, u), await createRoom(a, u), await createRoom(a, u)];
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, rooms[0]._id);
    await joinRoom(c, rooms[1]._id);
    const err = await c.request('joinRoom', rooms[2]._id, 'joinRoomError');
    assert.deepEqual(err.data, { message: '참여할 수 있는 채팅방 수(2개)를 초과했습니다.' });
    c.emit('leaveRoom', rooms[0]._id);
    const ok = await c.request('joinRoom', rooms[2]._id, 'joinRoomSuccess');
    assert.equal(ok.data.roomId, rooms[2]._id);
  });

  test('--max-sockets-per-user: the third socket → CONNECT_ERROR; a slot frees on disconnect', T, async (t) => {
    const u = await registerUser(a);
    const c1 = await connectClient(t, srv.url, u, { label: 'one' });
    await connectClient(t, srv.url, u, { label: 'two' });
    const err = await connectError(srv.url, { token: u.token, sessionId: u.sessionId });
    assert.equal(err.message, 'Too many connections for this user (limit 2)');
    c1.close();
    await sleep(SETTLE_MS);
    await connectClient(t, srv.url, u, { label: 'three' });
  });

  test('logout: session_ended {reason:"logout"}, then the server closes the socket', T, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    const r = await a.post('/api/auth/logout', undefined, { token: u.token, sessionId: u.sessionId });
    assert.equal(r.status, 200);
    const ended = await c.waitFor('session_ended');
    assert.deepEqual(ended.data, { reason: 'logout', message: '로그아웃되었습니다.' });
    assert.equal(await disconnectedWithin(c, 2000), 'io server disconnect');
  });

  test('account deletion: session_ended {reason:"account_deleted"} and the close', T, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    const r = await a.del('/api/users/account', { token: u.token });
    assert.equal(r.status, 200);
    const ended = await c.waitFor('session_ended');
    assert.equal(ended.data.reason, 'account_deleted');
    assert.equal(await disconnectedWithin(c, 2000), 'io server disconnect');
  });
});

describe('session ends found by the periodic check (--session-idle-ms 1500 --session-check-ms 300)', () => {
  let srv; let a;
  before(async () => {
    srv = await startServer({ args: ['--session-idle-ms', '1500', '--session-check-ms', '300', '--session-end-close-ms', '200'] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  test('an idle-expired session: session_ended {reason:"session_expired"} and the close, not before the idle limit', T, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    const start = Date.now();
    await sleep(1000);
    assert.equal(c.count('session_ended'), 0, 'still within the idle limit');
    assert.equal(c.connected, true);
    const ended = await c.waitFor('session_ended', () => true, { timeout: 4000 });
    assert.equal(ended.data.reason, 'session_expired');
    assert.ok(Date.now() - start >= 1400, 'not before the idle limit');
    assert.equal(await disconnectedWithin(c, 1500), 'io server disconnect');
  });

  test('refresh-token: the socket carries on with the new session', T, async (t) => {
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    const r = await a.post('/api/auth/refresh-token', undefined, { token: u.token, sessionId: u.sessionId });
    assert.equal(r.status, 200);
    for (let i = 0; i < 4; i += 1) { await sleep(300); await sendText(c, room._id, `still here ${i}`); }
    assert.equal(c.count('session_ended'), 0);
    assert.equal(c.connected, true);
  });
});

describe('a new login ends the old session\'s sockets', () => {
  let srv; let a;
  before(async () => { srv = await startServer({ args: ['--session-end-close-ms', '200'] }); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('session_ended {reason:"duplicate_login"} ~10 s after the login, then the close', { timeout: 30000 }, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    const at = Date.now();
    await login(a, u.email, u.password);  // no socket for the new session
    const ended = await c.waitFor('session_ended', () => true, { timeout: 15000 });
    assert.equal(ended.data.reason, 'duplicate_login');
    const elapsed = Date.now() - at;
    assert.ok(elapsed >= 9000 && elapsed <= 13000, `after the duplicate-login grace (${elapsed} ms)`);
    assert.equal(await disconnectedWithin(c, 1500), 'io server disconnect');
  });
});

describe('banned words are on by default', () => {
  test('no --banned-words flag: the contract list applies', T, async (t) => {
    const srv = await startServer({ bannedWords: null });
    t.after(() => srv.stop());
    const a = api(srv);
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    const err = await c.request('chatMessage', { room: room._id, type: 'text', content: 'say b3sig78jv' }, 'error');
    assert.deepEqual(err.data, { code: 'MESSAGE_REJECTED', message: '금칙어가 포함된 메시지는 전송할 수 없습니다.' });
  });

  test('--banned-words none: no filter', T, async (t) => {
    const srv = await startServer({ bannedWords: 'none' });
    t.after(() => srv.stop());
    const a = api(srv);
    const u = await registerUser(a);
    const room = await createRoom(a, u);
    const c = await connectClient(t, srv.url, u);
    await joinRoom(c, room._id);
    const m = await c.request('chatMessage', { room: room._id, type: 'text', content: 'say b3sig78jv' }, 'message', (x) => x.content === 'say b3sig78jv');
    assert.equal(m.data.type, 'text');
  });
});
