// Contract §2.3 (rooms: create, get, join, health) and §1 Room / UserSummary shapes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, createRoom, joinRoomRest, login,
  assertError, assertRoom, assertIsoNear, UNAUTHORIZED, summary, HEX24,
} from '../lib/server.mjs';

const T = { timeout: 20000 };
const NOT_FOUND = '채팅방을 찾을 수 없습니다.';

/** 400 room validation: code, path, and errors all on `field` with non-empty validator texts. */
function assertRoomValidation(r, fields) {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.success, false);
  assert.equal(r.body.code, 'VALIDATION_ERROR');
  assert.equal(r.body.path, '/api/rooms');
  if ('message' in r.body) assert.equal(typeof r.body.message, 'string');
  assert.ok(Array.isArray(r.body.errors) && r.body.errors.length > 0, JSON.stringify(r.body));
  for (const e of r.body.errors) {
    assert.ok(fields.includes(e.field), `unexpected error field ${e.field}`);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0);
  }
  for (const f of fields) assert.ok(r.body.errors.some((e) => e.field === f), `missing error for ${f}: ${JSON.stringify(r.body)}`);
}

describe('rooms', () => {
  let srv; let a; let alice; let bob; let carol;
  before(async () => {
    srv = await startServer();
    a = api(srv);
    alice = await registerUser(a, { name: '앨리스' });
    bob = await registerUser(a, { name: 'Bob Builder' });
    carol = await registerUser(a, { name: 'Carol' });
  });
  after(async () => { await srv?.stop(); });

  describe('POST /api/rooms', () => {
    test('201 with the full Room shape; name trimmed; creator is the first participant', T, async () => {
      const before = Date.now();
      const r = await a.post('/api/rooms', { name: '  개발 잡담방  ' }, { token: alice.token });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['data', 'success']);
      assert.equal(r.body.success, true);
      assertRoom(r.body.data, {
        name: '개발 잡담방', hasPassword: false, creator: summary(alice), participants: [summary(alice)], participantsCount: 1,
      });
      assertIsoNear(r.body.data.createdAt, 60000, 'createdAt');
      assert.ok(Date.parse(r.body.data.createdAt) >= before - 1000);
      if ('isCreator' in r.body.data) assert.equal(r.body.data.isCreator, true);
    });

    test('password room: hasPassword true, password never returned', T, async () => {
      const r = await a.post('/api/rooms', { name: 'Secret Room', password: 'hunter2' }, { token: alice.token });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assertRoom(r.body.data, {
        name: 'Secret Room', hasPassword: true, creator: summary(alice), participants: [summary(alice)], participantsCount: 1,
      });
      assert.ok(!JSON.stringify(r.body).includes('hunter2'));
      const g = await a.get(`/api/rooms/${r.body.data._id}`, { token: bob.token });
      assert.ok(!JSON.stringify(g.body).includes('hunter2'));
      assert.equal(g.body.data.hasPassword, true);
    });

    test('extra fields (description, participants) are ignored', T, async () => {
      const r = await a.post('/api/rooms', { name: 'Extra Fields', description: 'desc', participants: [bob.id, carol.id] }, { token: alice.token });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assertRoom(r.body.data, {
        name: 'Extra Fields', hasPassword: false, creator: summary(alice), participants: [summary(alice)], participantsCount: 1,
      });
    });

    test('works with only Authorization: Bearer (load tests)', T, async () => {
      const r = await a.post('/api/rooms', { name: 'Load Test Room' }, { token: alice.token, tokenVia: 'bearer' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.match(r.body.data._id, HEX24);
    });

    test('name boundaries: 2 and 100 chars accepted', T, async () => {
      for (const name of ['ab', 'n'.repeat(100)]) {
        const r = await a.post('/api/rooms', { name }, { token: alice.token });
        assert.equal(r.status, 201, `${name.length} chars: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.data.name, name);
      }
    });

    test('400 VALIDATION_ERROR for missing, blank, 1-char and 101-char names', T, async () => {
      for (const body of [{}, { name: '' }, { name: '    ' }, { name: 'a' }, { name: 'n'.repeat(101) }]) {
        const r = await a.post('/api/rooms', body, { token: alice.token });
        assertRoomValidation(r, ['name']);
      }
    });

    test('400 VALIDATION_ERROR for a password of 0–3 or 101 chars; 4 chars accepted', T, async () => {
      for (const password of ['', 'abc', 'p'.repeat(101)]) {
        const r = await a.post('/api/rooms', { name: 'Pw Room', password }, { token: alice.token });
        assertRoomValidation(r, ['password']);
      }
      const ok = await a.post('/api/rooms', { name: 'Pw Room', password: 'abcd' }, { token: alice.token });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(ok.body.data.hasPassword, true);
      const nul = await a.post('/api/rooms', { name: 'Null Pw Room', password: null }, { token: alice.token });
      assert.equal(nul.status, 201, JSON.stringify(nul.body));
      assert.equal(nul.body.data.hasPassword, false);
    });

    test('both name and password errors are collected', T, async () => {
      const r = await a.post('/api/rooms', { name: 'a', password: 'ab' }, { token: alice.token });
      assertRoomValidation(r, ['name', 'password']);
    });

    test('401 without a token', T, async () => {
      const r = await a.post('/api/rooms', { name: 'No Auth Room' });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });
  });

  describe('GET /api/rooms/:roomId', () => {
    test('200 returns the same Room for any authenticated user (no membership check)', T, async () => {
      const room = await createRoom(a, alice, { name: 'Readable Room' });
      const r = await a.get(`/api/rooms/${room._id}`, { token: carol.token });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ['data', 'success']);
      assert.equal(r.body.success, true);
      assertRoom(r.body.data, {
        _id: room._id, name: 'Readable Room', hasPassword: false, creator: summary(alice), participants: [summary(alice)],
        participantsCount: 1, createdAt: room.createdAt,
      });
    });

    test('404 for an unknown id and for malformed ids', T, async () => {
      for (const id of ['0123456789abcdef01234567', 'not-an-id', '12345', 'ZZZZZZZZZZZZZZZZZZZZZZZZ', '0123456789abcdef012345678']) {
        assertError(await a.get(`/api/rooms/${id}`, { token: alice.token }), 404, NOT_FOUND);
      }
    });

    test('401 without a token', T, async () => {
      const room = await createRoom(a, alice);
      const r = await a.get(`/api/rooms/${room._id}`);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });
  });

  describe('POST /api/rooms/:roomId/join', () => {
    test('join without password adds the caller; participants in join order; idempotent', T, async () => {
      const room = await createRoom(a, alice, { name: 'Join Me' });
      const r = await a.post(`/api/rooms/${room._id}/join`, {}, { token: bob.token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['data', 'success']);
      assert.equal(r.body.success, true);
      const expected = {
        _id: room._id, name: 'Join Me', hasPassword: false, creator: summary(alice),
        participants: [summary(alice), summary(bob)], participantsCount: 2, createdAt: room.createdAt,
      };
      assertRoom(r.body.data, expected);
      // joining again does not duplicate
      const again = await a.post(`/api/rooms/${room._id}/join`, {}, { token: bob.token });
      assert.equal(again.status, 200);
      assertRoom(again.body.data, expected);
      // the creator joining does not duplicate either
      const creator = await a.post(`/api/rooms/${room._id}/join`, {}, { token: alice.token });
      assert.equal(creator.status, 200);
      assertRoom(creator.body.data, expected);
      // GET reflects it
      const g = await a.get(`/api/rooms/${room._id}`, { token: carol.token });
      assertRoom(g.body.data, expected);
    });

    test('empty body (no JSON at all) is accepted', T, async () => {
      const room = await createRoom(a, alice);
      const r = await a.request('POST', `/api/rooms/${room._id}/join`, undefined, { token: carol.token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.participantsCount, 2);
      assert.deepEqual(r.body.data.participants, [summary(alice), summary(carol)]);
    });

    test('empty body with Content-Type: application/json is accepted', T, async () => {
      const room = await createRoom(a, alice);
      const r = await a.request('POST', `/api/rooms/${room._id}/join`, undefined,
        { token: bob.token, rawBody: '', headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.data.participants, [summary(alice), summary(bob)]);
    });

    test('password room: missing or wrong password → 401, correct password → 200', T, async () => {
      const room = await createRoom(a, alice, { name: 'Locked', password: 'open-sesame' });
      assertError(await a.post(`/api/rooms/${room._id}/join`, {}, { token: bob.token }), 401, '비밀번호가 일치하지 않습니다.');
      assertError(await a.post(`/api/rooms/${room._id}/join`, { password: 'wrong-pass' }, { token: bob.token }), 401, '비밀번호가 일치하지 않습니다.');
      assertError(await a.request('POST', `/api/rooms/${room._id}/join`, undefined, { token: bob.token }), 401, '비밀번호가 일치하지 않습니다.');
      // failed attempts did not add bob
      const g = await a.get(`/api/rooms/${room._id}`, { token: bob.token });
      assert.equal(g.body.data.participantsCount, 1);
      const ok = await a.post(`/api/rooms/${room._id}/join`, { password: 'open-sesame' }, { token: bob.token });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assertRoom(ok.body.data, {
        _id: room._id, name: 'Locked', hasPassword: true, creator: summary(alice),
        participants: [summary(alice), summary(bob)], participantsCount: 2, createdAt: room.createdAt,
      });
    });

    test('a bad token on a password room is still 401 UNAUTHORIZED (auth first)', T, async () => {
      const room = await createRoom(a, alice, { password: 'pw-1234' });
      const r = await a.post(`/api/rooms/${room._id}/join`, { password: 'pw-1234' }, { token: 'bogus' });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });

    test('404 for unknown and malformed room ids', T, async () => {
      assertError(await a.post('/api/rooms/0123456789abcdef01234567/join', {}, { token: bob.token }), 404, NOT_FOUND);
      assertError(await a.post('/api/rooms/nope/join', {}, { token: bob.token }), 404, NOT_FOUND);
    });

    test('participants reflect profile renames (UserSummary is live)', T, async () => {
      const dave = await registerUser(a, { name: 'Dave Before' });
      const room = await createRoom(a, dave, { name: 'Rename Room' });
      const r = await a.put('/api/users/profile', { name: 'Dave After' }, { token: dave.token });
      assert.equal(r.status, 200);
      const g = await a.get(`/api/rooms/${room._id}`, { token: dave.token });
      assert.deepEqual(g.body.data.creator, summary(dave, { name: 'Dave After' }));
      assert.deepEqual(g.body.data.participants, [summary(dave, { name: 'Dave After' })]);
    });
  });

  describe('GET /api/rooms/health', () => {
    test('200 public, no-cache, database connected, lastActivity = newest room createdAt', T, async () => {
      const room = await createRoom(a, bob, { name: 'Newest Room For Health' });
      const r = await a.get('/api/rooms/health');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['lastActivity', 'services', 'success', 'timestamp']);
      assert.equal(r.body.success, true);
      assertIsoNear(r.body.timestamp);
      assert.deepEqual(Object.keys(r.body.services), ['database']);
      assert.equal(r.body.services.database.connected, true);
      assert.equal(typeof r.body.services.database.latency, 'number');
      assert.ok(r.body.services.database.latency >= 0);
      assert.equal(Date.parse(r.body.lastActivity), Date.parse(room.createdAt));
      assert.match(r.headers.get('cache-control') || '', /no-cache|no-store/);
    });

    test('also fine with a valid token', T, async () => {
      const r = await a.get('/api/rooms/health', { token: alice.token });
      assert.equal(r.status, 200);
      assert.equal(r.body.success, true);
    });
  });

  test('after a re-login the new token creates rooms; REST joiners are appended after the creator', T, async () => {
    const l = await login(a, carol.email, carol.password);
    carol.token = l.token;
    const room = await createRoom(a, carol, { name: 'Carol Room' });
    assert.deepEqual(room.creator, summary(carol));
    const j = await joinRoomRest(a, alice, room._id);
    assert.deepEqual(j.participants, [summary(carol), summary(alice)]);
  });
});
