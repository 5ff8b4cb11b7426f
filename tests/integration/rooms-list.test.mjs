// Contract §2.3 GET /api/rooms (paging, sorting, search, metadata) and §5.1 (rate limit).
// Uses dedicated servers so that the set of rooms is fully known.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, createRoom, joinRoomRest, sleep,
  assertRoom, UNAUTHORIZED, summary,
} from '../lib/server.mjs';

const T = { timeout: 20000 };

// name → participant count; created in this order (so createdAt ascending = this order).
const FIXTURE = [
  ['Alpha Lounge', 3],
  ['Beta lounge', 1],
  ['Gamma 100% Club', 7],
  ['Delta_x Room', 2],
  ['Epsilon.Hall', 5],
  ['Zeta Room', 4],
  ['Kappa Room', 6],
];
const NAMES = FIXTURE.map(([n]) => n);
const byCreatedAsc = NAMES;
const byCreatedDesc = [...NAMES].reverse();
const byNameAsc = [...NAMES].sort();
const byCountAsc = [...FIXTURE].sort((x, y) => x[1] - y[1]).map(([n]) => n);

function meta(total, page, pageSize, currentCount, field = 'createdAt', order = 'desc') {
  const totalPages = Math.ceil(total / pageSize);
  return { total, page, pageSize, totalPages, hasMore: page + 1 < totalPages, currentCount, sort: { field, order } };
}

describe('GET /api/rooms listing', () => {
  let srv; let a; let users; let rooms;
  const list = (query) => a.get('/api/rooms', { token: users[0].token, query });
  const names = (r) => r.body.data.map((x) => x.name);

  before(async () => {
    srv = await startServer();
    a = api(srv);
    users = [];
    for (let i = 0; i < 7; i += 1) users.push(await registerUser(a, { name: `List User ${i}` }));
    rooms = {};
    for (const [name, count] of FIXTURE) {
      const room = await createRoom(a, users[0], { name });
      for (let i = 1; i < count; i += 1) await joinRoomRest(a, users[i], room._id);
      rooms[name] = room;
      await sleep(15); // distinct createdAt values
    }
  });
  after(async () => { await srv?.stop(); });

  test('defaults: page 0, pageSize 10, createdAt desc, full Room objects', T, async () => {
    const r = await list();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ['data', 'metadata', 'success']);
    assert.equal(r.body.success, true);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7));
    assert.deepEqual(names(r), byCreatedDesc);
    for (const [name, count] of FIXTURE) {
      const room = r.body.data.find((x) => x.name === name);
      assertRoom(room, {
        _id: rooms[name]._id, name, hasPassword: false, creator: summary(users[0]),
        participants: users.slice(0, count).map((u) => summary(u)), participantsCount: count, createdAt: rooms[name].createdAt,
      });
    }
  });

  test('the frontend query (page=0&pageSize=10&sortField=createdAt&sortOrder=desc)', T, async () => {
    const r = await list({ page: 0, pageSize: 10, sortField: 'createdAt', sortOrder: 'desc' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7));
    assert.deepEqual(names(r), byCreatedDesc);
  });

  test('paging with pageSize 3: pages 0, 1, 2 and past the end', T, async () => {
    for (let page = 0; page <= 3; page += 1) {
      const r = await list({ page, pageSize: 3 });
      assert.equal(r.status, 200);
      const expected = byCreatedDesc.slice(page * 3, page * 3 + 3);
      assert.deepEqual(names(r), expected, `page ${page}`);
      assert.deepEqual(r.body.metadata, meta(7, page, 3, expected.length), `page ${page}`);
    }
  });

  test('sortField createdAt asc', T, async () => {
    const r = await list({ sortField: 'createdAt', sortOrder: 'asc' });
    assert.deepEqual(names(r), byCreatedAsc);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7, 'createdAt', 'asc'));
  });

  test('sortField name asc / desc', T, async () => {
    let r = await list({ sortField: 'name', sortOrder: 'asc' });
    assert.deepEqual(names(r), byNameAsc);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7, 'name', 'asc'));
    r = await list({ sortField: 'name', sortOrder: 'desc' });
    assert.deepEqual(names(r), [...byNameAsc].reverse());
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7, 'name', 'desc'));
  });

  test('sortField participantsCount sorts by the number of participants', T, async () => {
    let r = await list({ sortField: 'participantsCount', sortOrder: 'asc' });
    assert.deepEqual(names(r), byCountAsc);
    assert.deepEqual(r.body.data.map((x) => x.participantsCount), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7, 'participantsCount', 'asc'));
    r = await list({ sortField: 'participantsCount', sortOrder: 'desc', pageSize: 4 });
    assert.deepEqual(names(r), [...byCountAsc].reverse().slice(0, 4));
    assert.deepEqual(r.body.metadata, meta(7, 0, 4, 4, 'participantsCount', 'desc'));
  });

  test('invalid sortField → createdAt, invalid sortOrder → desc (metadata echoes effective values)', T, async () => {
    let r = await list({ sortField: 'password', sortOrder: 'asc' });
    assert.deepEqual(names(r), byCreatedAsc);
    assert.deepEqual(r.body.metadata.sort, { field: 'createdAt', order: 'asc' });
    r = await list({ sortField: 'name', sortOrder: 'sideways' });
    assert.deepEqual(names(r), [...byNameAsc].reverse());
    assert.deepEqual(r.body.metadata.sort, { field: 'name', order: 'desc' });
    r = await list({ sortField: 'bogus', sortOrder: 'bogus' });
    assert.deepEqual(names(r), byCreatedDesc);
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7));
  });

  test('pageSize is clamped to 1..50 and negative pages become 0', T, async () => {
    let r = await list({ pageSize: 0 });
    assert.deepEqual(r.body.metadata, meta(7, 0, 1, 1));
    assert.deepEqual(names(r), byCreatedDesc.slice(0, 1));
    r = await list({ pageSize: -4 });
    assert.deepEqual(r.body.metadata, meta(7, 0, 1, 1));
    r = await list({ pageSize: 500 });
    assert.deepEqual(r.body.metadata, meta(7, 0, 50, 7));
    r = await list({ page: -2, pageSize: 2 });
    assert.deepEqual(r.body.metadata, meta(7, 0, 2, 2));
    assert.deepEqual(names(r), byCreatedDesc.slice(0, 2));
  });

  test('search is a case-insensitive substring of the name', T, async () => {
    const r = await list({ search: 'LOUNGE' });
    assert.deepEqual(names(r), ['Beta lounge', 'Alpha Lounge']);
    assert.deepEqual(r.body.metadata, meta(2, 0, 10, 2));
    const r2 = await list({ search: 'kApPa' });
    assert.deepEqual(names(r2), ['Kappa Room']);
  });

  test('search is literal: %, _, ., ( and * are not wildcards', T, async () => {
    const cases = [['%', ['Gamma 100% Club']], ['100%', ['Gamma 100% Club']], ['_', ['Delta_x Room']], ['.', ['Epsilon.Hall']],
      ['a.p', []], ['(', []], ['.*', []], ['a%C', []], ['e_t', []], ['[', []], ['\\', []]];
    for (const [search, expected] of cases) {
      const r = await list({ search });
      assert.equal(r.status, 200, `search ${search}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(names(r), expected, `search ${JSON.stringify(search)}`);
      assert.equal(r.body.metadata.total, expected.length);
    }
  });

  test('search with no match → empty data, total 0, totalPages 0, hasMore false', T, async () => {
    const r = await list({ search: 'no-such-room-xyz' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data, []);
    assert.deepEqual(r.body.metadata, meta(0, 0, 10, 0));
  });

  test('empty search means no filter', T, async () => {
    const r = await list({ search: '' });
    assert.deepEqual(r.body.metadata, meta(7, 0, 10, 7));
  });

  test('search combines with paging and sorting', T, async () => {
    const r = await list({ search: 'room', pageSize: 2, page: 0, sortField: 'name', sortOrder: 'asc' });
    assert.deepEqual(names(r), ['Delta_x Room', 'Kappa Room']);
    assert.deepEqual(r.body.metadata, meta(3, 0, 2, 2, 'name', 'asc'));
    const r2 = await list({ search: 'room', pageSize: 2, page: 1, sortField: 'name', sortOrder: 'asc' });
    assert.deepEqual(names(r2), ['Zeta Room']);
    assert.deepEqual(r2.body.metadata, meta(3, 1, 2, 1, 'name', 'asc'));
  });

  test('Korean search text', T, async () => {
    // adds an 8th room: the tests below this one do not depend on the room count
    const room = await createRoom(a, users[1], { name: '한글 채팅방 테스트' });
    const r = await list({ search: '채팅방' });
    assert.deepEqual(names(r), ['한글 채팅방 테스트']);
    assert.equal(r.body.data[0]._id, room._id);
  });

  test('list responses carry X-RateLimit-* headers (default limit 10000)', T, async () => {
    const r1 = await list();
    const r2 = await list();
    assert.equal(r1.headers.get('x-ratelimit-limit'), '10000');
    assert.ok(r1.headers.get('x-ratelimit-reset'), 'X-RateLimit-Reset present');
    assert.ok(r1.headers.get('x-ratelimit-window'), 'X-RateLimit-Window present');
    assert.equal(Number(r1.headers.get('x-ratelimit-remaining')) - 1, Number(r2.headers.get('x-ratelimit-remaining')));
  });

  test('401 without a token', T, async () => {
    const r = await a.get('/api/rooms');
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, UNAUTHORIZED);
  });
});

const TOO_MANY = '너무 많은 요청이 발생했습니다. 잠시 후 다시 시도해주세요.';

function assert429(r, maxRequests, windowMs) {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  const retryAfter = r.body?.meta?.retryAfter;
  assert.ok(Number.isInteger(retryAfter), `retryAfter integer: ${JSON.stringify(r.body)}`);
  assert.ok(retryAfter >= 1 && retryAfter <= Math.ceil(windowMs / 1000), `retryAfter ${retryAfter} within the window`);
  assert.deepEqual(r.body, {
    success: false, message: TOO_MANY, meta: { code: 'TOO_MANY_REQUESTS', maxRequests, windowMs, retryAfter },
  });
  assert.equal(r.headers.get('retry-after'), String(retryAfter));
}

describe('GET /api/rooms rate limit (--rooms-rate-limit 3)', () => {
  let srv; let a; let u;
  before(async () => {
    srv = await startServer({ args: ['--rooms-rate-limit', '3', '--rooms-rate-window-ms', '30000'] });
    a = api(srv);
    u = await registerUser(a);
  });
  after(async () => { await srv?.stop(); });

  test('3 requests pass with X-RateLimit-* headers, the 4th gets 429 + Retry-After', T, async () => {
    for (let i = 0; i < 3; i += 1) {
      const r = await a.get('/api/rooms', { token: u.token });
      assert.equal(r.status, 200, `request ${i + 1}`);
      assert.equal(r.headers.get('x-ratelimit-limit'), '3');
      assert.equal(r.headers.get('x-ratelimit-remaining'), String(2 - i));
      assert.ok(r.headers.get('x-ratelimit-reset'));
      assert.ok(r.headers.get('x-ratelimit-window'));
    }
    assert429(await a.get('/api/rooms', { token: u.token }), 3, 30000);
    assert429(await a.get('/api/rooms', { token: u.token, query: { page: 1 } }), 3, 30000);
  });

  test('only the room list is limited', T, async () => {
    const room = await createRoom(a, u);
    assert.equal((await a.get(`/api/rooms/${room._id}`, { token: u.token })).status, 200);
    assert.equal((await a.post(`/api/rooms/${room._id}/join`, {}, { token: u.token })).status, 200);
    assert.equal((await a.get('/api/rooms/health')).status, 200);
    assert.equal((await a.get('/api/health')).status, 200);
    assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200);
    assert.equal((await a.get('/api/rooms', { token: u.token })).status, 429);
  });

  test('the client IP is the first X-Forwarded-For value, else X-Real-IP', T, async () => {
    const xff = (v) => a.get('/api/rooms', { token: u.token, headers: { 'X-Forwarded-For': v } });
    let r = await xff('203.0.113.9, 10.0.0.1');
    assert.equal(r.status, 200, 'a different client IP has its own window');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '2');
    r = await xff('203.0.113.9, 10.9.9.9');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '1', 'same first XFF value → same bucket');
    r = await a.get('/api/rooms', { token: u.token, headers: { 'X-Real-IP': '198.51.100.7' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '2');
    r = await a.get('/api/rooms', { token: u.token, headers: { 'X-Forwarded-For': '198.51.100.7', 'X-Real-IP': '203.0.113.9' } });
    assert.equal(r.headers.get('x-ratelimit-remaining'), '1', 'XFF wins over X-Real-IP');
  });
});

describe('GET /api/rooms rate-limit window resets (--rooms-rate-limit 2 --rooms-rate-window-ms 1000)', () => {
  let srv; let a; let u;
  before(async () => {
    srv = await startServer({ args: ['--rooms-rate-limit', '2', '--rooms-rate-window-ms', '1000'] });
    a = api(srv);
    u = await registerUser(a);
  });
  after(async () => { await srv?.stop(); });

  test('after the window passes, requests are allowed again', T, async () => {
    let limited = null;
    for (let attempt = 0; attempt < 3 && !limited; attempt += 1) {
      const rs = [];
      for (let i = 0; i < 3; i += 1) rs.push(await a.get('/api/rooms', { token: u.token }));
      limited = rs.find((r) => r.status === 429) || null;
      if (!limited) await sleep(1100);
    }
    assert.ok(limited, 'a burst of 3 within 1 s must hit the limit of 2');
    assert429(limited, 2, 1000);
    await sleep(1200);
    const r = await a.get('/api/rooms', { token: u.token });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '1');
  });
});
