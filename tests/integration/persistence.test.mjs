// Durability: data written and acknowledged must survive a graceful restart (SIGTERM, exit 0)
// and a crash (kill -9 right after the acknowledgement). The JWT secret lives in the data dir,
// so tokens and sessions stay valid across restarts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, createRoom, joinRoomRest, login, newUserData,
  assertError, assertRoom, UNAUTHORIZED, summary,
} from '../lib/server.mjs';

const T = { timeout: 30000 };

async function snapshotRooms(a, token) {
  const r = await a.get('/api/rooms', { token, query: { pageSize: 50, sortField: 'createdAt', sortOrder: 'asc' } });
  assert.equal(r.status, 200);
  return r.body;
}

describe('graceful restart (SIGTERM)', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('users, sessions, rooms, participants, passwords and profile edits survive', T, async () => {
    const alice = await registerUser(a, { name: '영속 앨리스' });
    const bob = await registerUser(a, { name: 'Persistent Bob' });
    const open = await createRoom(a, alice, { name: 'Open Room' });
    const locked = await createRoom(a, alice, { name: 'Locked Room', password: 'pw-1234' });
    await joinRoomRest(a, bob, open._id);
    await joinRoomRest(a, bob, locked._id, 'pw-1234');
    const put = await a.put('/api/users/profile', { name: '이름 바뀐 앨리스' }, { token: alice.token });
    assert.equal(put.status, 200);
    const gone = await registerUser(a);
    assert.equal((await a.post('/api/auth/logout', undefined, { token: gone.token, sessionId: gone.sessionId })).status, 200);
    const before = await snapshotRooms(a, alice.token);

    await srv.restart(); // asserts exit code 0 on SIGTERM
    a = api(srv);

    // tokens issued before the restart still work (secret + sessions persisted)
    const pa = await a.get('/api/users/profile', { token: alice.token });
    assert.equal(pa.status, 200, JSON.stringify(pa.body));
    assert.deepEqual(pa.body.user, summary(alice, { name: '이름 바뀐 앨리스' }));
    assert.equal((await a.get('/api/users/profile', { token: bob.token })).status, 200);
    // a logged-out session stays logged out
    const pg = await a.get('/api/users/profile', { token: gone.token });
    assert.equal(pg.status, 401);
    assert.deepEqual(pg.body, UNAUTHORIZED);

    // rooms are identical
    assert.deepEqual(await snapshotRooms(a, alice.token), before);
    const g = await a.get(`/api/rooms/${open._id}`, { token: bob.token });
    assert.equal(g.status, 200);
    assertRoom(g.body.data, {
      _id: open._id, name: 'Open Room', hasPassword: false, createdAt: open.createdAt,
      creator: summary(alice, { name: '이름 바뀐 앨리스' }),
      participants: [summary(alice, { name: '이름 바뀐 앨리스' }), summary(bob)], participantsCount: 2,
    });

    // the stored password hash still works
    const carol = await registerUser(a);
    assertError(await a.post(`/api/rooms/${locked._id}/join`, { password: 'nope-nope' }, { token: carol.token }), 401, '비밀번호가 일치하지 않습니다.');
    const j = await a.post(`/api/rooms/${locked._id}/join`, { password: 'pw-1234' }, { token: carol.token });
    assert.equal(j.status, 200);
    assert.equal(j.body.data.participantsCount, 3);

    // credentials and the unique e-mail survive
    await login(a, alice.email, alice.password);
    assertError(await a.post('/api/auth/register', newUserData({ email: bob.email.toUpperCase() })), 409, '이미 등록된 이메일입니다.');
  });

  test('a second restart keeps everything and new ids never collide', T, async () => {
    const u = await registerUser(a);
    const r1 = await createRoom(a, u, { name: 'Before Second Restart' });
    await srv.restart();
    a = api(srv);
    const r2 = await createRoom(a, u, { name: 'After Second Restart' });
    assert.notEqual(r1._id, r2._id);
    const u2 = await registerUser(a);
    assert.notEqual(u2.id, u.id);
    const list = await snapshotRooms(a, u.token);
    const ids = list.data.map((x) => x._id);
    assert.equal(new Set(ids).size, ids.length, 'room ids are unique');
    assert.ok(ids.includes(r1._id) && ids.includes(r2._id));
  });
});

describe('crash restart (kill -9 right after acknowledged writes)', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('register, create room, join, rename, logout, delete: all durable after kill -9', T, async () => {
    const dave = await registerUser(a, { name: 'Crash Dave' });
    const erin = await registerUser(a, { name: '크래시 에린' });
    const doomed = await registerUser(a, { name: 'Doomed User' });
    const room = await createRoom(a, dave, { name: 'Crash Room', password: 'crash-pw' });
    const erinJoin = await a.post(`/api/rooms/${room._id}/join`, { password: 'crash-pw' }, { token: erin.token });
    assert.equal(erinJoin.status, 200);
    assert.equal((await a.put('/api/users/profile', { name: 'Crash Dave II' }, { token: dave.token })).status, 200);
    assert.equal((await a.del('/api/users/account', { token: doomed.token })).status, 200);
    const frank = await registerUser(a, { name: 'Last Write Frank' }); // the very last acknowledged write
    await srv.kill9();
    await srv.restart();
    a = api(srv);

    for (const u of [dave, erin, frank]) {
      const p = await a.get('/api/users/profile', { token: u.token });
      assert.equal(p.status, 200, `${u.name}: ${JSON.stringify(p.body)}`);
    }
    assert.equal((await a.get('/api/users/profile', { token: dave.token })).body.user.name, 'Crash Dave II');
    const g = await a.get(`/api/rooms/${room._id}`, { token: frank.token });
    assert.equal(g.status, 200);
    assertRoom(g.body.data, {
      _id: room._id, name: 'Crash Room', hasPassword: true, createdAt: room.createdAt,
      creator: summary(dave, { name: 'Crash Dave II' }),
      participants: [summary(dave, { name: 'Crash Dave II' }), summary(erin)], participantsCount: 2,
    });
    assertError(await a.post('/api/auth/login', { email: doomed.email, password: doomed.password }), 401,
      '이메일 또는 비밀번호가 올바르지 않습니다.');
    await login(a, frank); // password hash survived; updates frank.token
    assertError(await a.post(`/api/rooms/${room._id}/join`, {}, { token: frank.token }), 401, '비밀번호가 일치하지 않습니다.');
  });

  test('a burst of 25 room creations acknowledged just before kill -9 is complete', T, async () => {
    const u = await registerUser(a);
    const created = [];
    for (let i = 0; i < 25; i += 1) created.push(await createRoom(a, u, { name: `Burst Room ${String(i).padStart(2, '0')}` }));
    await srv.kill9();
    await srv.restart();
    a = api(srv);
    const r = await a.get('/api/rooms', { token: u.token, query: { search: 'Burst Room', pageSize: 50, sortField: 'name', sortOrder: 'asc' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data.map((x) => x._id), created.map((x) => x._id));
    assert.equal(r.body.metadata.total, 25);
  });

  test('a session replaced by login just before kill -9 stays replaced', T, async () => {
    const u = await registerUser(a);
    const l = await login(a, u.email, u.password);
    await srv.kill9();
    await srv.restart();
    a = api(srv);
    assert.equal((await a.get('/api/users/profile', { token: u.body.token })).status, 401, 'old session is dead');
    assert.equal((await a.get('/api/users/profile', { token: l.token })).status, 200, 'new session is alive');
  });
});
