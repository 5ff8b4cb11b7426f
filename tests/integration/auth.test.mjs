// Contract §2.1 (auth), §0.1 (REST authentication), §4 (sessions and tokens).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startServer, api, registerUser, login, newUserData, sleep, signJwt, decodeJwtPayload, tamper,
  assertError, assertValidation, assertEnvelope, HEX24, HEX32, JWT_RE, UNAUTHORIZED, summary,
} from '../lib/server.mjs';

const T = { timeout: 20000 };
const JWT_SECRET = 'parley-integration-test-secret-0123456789abcdef';

/** AuthUser: {_id,name,email,profileImage} (+ optional id equal to _id). */
function assertAuthUser(actual, u) {
  const a = { ...actual };
  if ('id' in a) { assert.equal(a.id, a._id, 'AuthUser.id equals _id'); delete a.id; }
  assert.match(a._id, HEX24, 'user _id is 24 lowercase hex');
  assert.deepEqual(a, { _id: a._id, name: u.name, email: u.email, profileImage: '' });
}

describe('auth', () => {
  let srv; let a;
  before(async () => {
    // A known JWT secret lets us forge expired / foreign tokens.
    srv = await startServer({ args: ['--jwt-secret', JWT_SECRET] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  describe('POST /api/auth/register', () => {
    test('201 with message, AuthUser, token and sessionId', T, async () => {
      const data = newUserData({ name: '김철수', email: `Kim.${randomBytes(4).toString('hex')}@Example.COM` });
      const r = await a.post('/api/auth/register', data);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const b = r.body;
      assert.deepEqual(Object.keys(b).sort(), ['message', 'sessionId', 'success', 'token', 'user']);
      assert.equal(b.success, true);
      assert.equal(b.message, '회원가입이 완료되었습니다.');
      assertAuthUser(b.user, { name: '김철수', email: data.email.toLowerCase() });
      assert.match(b.token, JWT_RE);
      assert.match(b.sessionId, HEX32);
      // the register token is a working token (load-test.js uses it)
      const p = await a.get('/api/users/profile', { token: b.token });
      assert.equal(p.status, 200);
      assert.equal(p.body.user._id, b.user._id);
    });

    test('JWT is HS256 with sub=email, userId, sessionId, iat and exp = iat + 24h', T, async () => {
      const u = await registerUser(a);
      const header = JSON.parse(Buffer.from(u.token.split('.')[0], 'base64url').toString());
      assert.equal(header.alg, 'HS256');
      const p = decodeJwtPayload(u.token);
      assert.equal(p.sub, u.email);
      assert.equal(p.userId, u.id);
      assert.equal(p.sessionId, u.sessionId);
      assert.equal(typeof p.iat, 'number');
      assert.equal(p.exp - p.iat, 86400);
    });

    test('name is stored untrimmed, email lowercased', T, async () => {
      const data = newUserData({ name: '  Spaced Name  ', email: `MiXeD-${randomBytes(4).toString('hex')}@Example.Org` });
      const r = await a.post('/api/auth/register', data);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.user.name, '  Spaced Name  ');
      assert.equal(r.body.user.email, data.email.toLowerCase());
      const p = await a.get('/api/users/profile', { token: r.body.token });
      assert.equal(p.body.user.name, '  Spaced Name  ');
      assert.equal(p.body.user.email, data.email.toLowerCase());
    });

    test('409 for a duplicate email, case-insensitively', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/register', newUserData({ email: u.email.toUpperCase() }));
      assertError(r, 409, '이미 등록된 이메일입니다.');
      const r2 = await a.post('/api/auth/register', newUserData({ email: u.email }));
      assertError(r2, 409, '이미 등록된 이메일입니다.');
    });

    test('400 collects all validation failures', T, async () => {
      const r = await a.post('/api/auth/register', { name: 'a', email: 'not-an-email', password: '12345' });
      assertValidation(r, [
        { field: 'name', message: '이름은 2자 이상이어야 합니다.' },
        { field: 'email', message: '올바른 이메일 형식이 아닙니다.' },
        { field: 'password', message: '비밀번호는 6자 이상이어야 합니다.' },
      ], { requestPath: '/api/auth/register' });
    });

    test('400 name: trimmed length < 2 and missing name', T, async () => {
      const r = await a.post('/api/auth/register', newUserData({ name: '  x  ' }));
      assertValidation(r, [{ field: 'name', message: '이름은 2자 이상이어야 합니다.' }], { requestPath: '/api/auth/register' });
      const d = newUserData(); delete d.name;
      const r2 = await a.post('/api/auth/register', d);
      assertValidation(r2, [{ field: 'name', message: '이름은 2자 이상이어야 합니다.' }], { requestPath: '/api/auth/register' });
    });

    test('400 email: each malformed form', T, async () => {
      for (const email of ['plainaddress', 'a@b', 'a b@c.de', 'a@b c.de', '@no-local.com', 'two@@at.com']) {
        const r = await a.post('/api/auth/register', newUserData({ email }));
        assertValidation(r, [{ field: 'email', message: '올바른 이메일 형식이 아닙니다.' }], { requestPath: '/api/auth/register' });
      }
    });

    test('400 password: shorter than 6 or blank', T, async () => {
      for (const password of ['12345', '      ']) {
        const r = await a.post('/api/auth/register', newUserData({ password }));
        assertValidation(r, [{ field: 'password', message: '비밀번호는 6자 이상이어야 합니다.' }], { requestPath: '/api/auth/register' });
      }
      // exactly 6 is fine
      const ok = await a.post('/api/auth/register', newUserData({ password: '123456' }));
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
    });

    test('unknown request fields are ignored', T, async () => {
      const r = await a.post('/api/auth/register', { ...newUserData(), role: 'admin', extra: { x: 1 } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.user.role, undefined);
    });
  });

  describe('POST /api/auth/login', () => {
    test('200 with token, sessionId, AuthUser and Authorization / x-session-id headers', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/login', { email: u.email, password: u.password });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const b = r.body;
      assert.deepEqual(Object.keys(b).sort(), ['sessionId', 'success', 'token', 'user']);
      assert.equal(b.success, true);
      assert.match(b.token, JWT_RE);
      assert.match(b.sessionId, HEX32);
      assert.notEqual(b.sessionId, u.sessionId, 'login creates a new session');
      assertAuthUser(b.user, u);
      assert.equal(b.user._id, u.id);
      assert.equal(r.headers.get('authorization'), `Bearer ${b.token}`);
      assert.equal(r.headers.get('x-session-id'), b.sessionId);
      assert.equal(decodeJwtPayload(b.token).sessionId, b.sessionId);
    });

    test('email lookup is case-insensitive', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/login', { email: u.email.toUpperCase(), password: u.password });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.user._id, u.id);
    });

    test('401 for a wrong password and for an unknown email (same text)', T, async () => {
      const u = await registerUser(a);
      assertError(await a.post('/api/auth/login', { email: u.email, password: 'wrong-password' }), 401,
        '이메일 또는 비밀번호가 올바르지 않습니다.');
      assertError(await a.post('/api/auth/login', { email: `nobody-${randomBytes(4).toString('hex')}@example.com`, password: 'whatever1' }), 401,
        '이메일 또는 비밀번호가 올바르지 않습니다.');
    });

    test('400 validation: malformed email, blank password', T, async () => {
      assertValidation(await a.post('/api/auth/login', { email: 'bad', password: 'secret123' }),
        [{ field: 'email', message: '올바른 이메일 형식이 아닙니다.' }], { requestPath: '/api/auth/login' });
      assertValidation(await a.post('/api/auth/login', { email: 'ok@example.com', password: '' }),
        [{ field: 'password', message: '비밀번호를 입력해주세요.' }], { requestPath: '/api/auth/login' });
      assertValidation(await a.post('/api/auth/login', { email: 'ok@example.com' }),
        [{ field: 'password', message: '비밀번호를 입력해주세요.' }], { requestPath: '/api/auth/login' });
    });

    test('400 validation: blank email reports 이메일을 입력해주세요.', T, async () => {
      const r = await a.post('/api/auth/login', { email: '   ', password: '' });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'VALIDATION_ERROR');
      assert.equal(r.body.message, '입력값이 올바르지 않습니다.');
      assert.ok(r.body.errors.some((e) => e.field === 'email' && e.message === '이메일을 입력해주세요.'), JSON.stringify(r.body.errors));
      assert.ok(r.body.errors.some((e) => e.field === 'password' && e.message === '비밀번호를 입력해주세요.'), JSON.stringify(r.body.errors));
      for (const e of r.body.errors) assert.ok(['email', 'password'].includes(e.field));
    });

    test('a second login kills the first session (old token → 401)', T, async () => {
      const u = await registerUser(a);
      const l1 = await login(a, u);
      assert.equal((await a.get('/api/users/profile', { token: l1.token })).status, 200);
      const l2 = await login(a, u);
      assert.deepEqual((await a.get('/api/users/profile', { token: l1.token })).body, UNAUTHORIZED);
      assert.equal((await a.get('/api/users/profile', { token: l1.token })).status, 401);
      const ok = await a.get('/api/users/profile', { token: l2.token });
      assert.equal(ok.status, 200);
      // the register session was replaced too
      assert.equal((await a.get('/api/users/profile', { token: u.body.token })).status, 401);
    });

    test('public endpoint ignores a bad token', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/login', { email: u.email, password: u.password }, { token: 'garbage.token.value' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });
  });

  describe('POST /api/auth/logout', () => {
    test('400 without x-session-id', T, async () => {
      const u = await registerUser(a);
      assertError(await a.post('/api/auth/logout', undefined, { token: u.token }), 400, 'x-session-id 헤더가 필요합니다.');
      assertError(await a.post('/api/auth/logout'), 400, 'x-session-id 헤더가 필요합니다.');
    });

    test('200 with token + x-session-id, and the session is gone afterwards', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/logout', undefined, { token: u.token, sessionId: u.sessionId });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { success: true, message: '로그아웃이 완료되었습니다.' });
      const p = await a.get('/api/users/profile', { token: u.token });
      assert.equal(p.status, 401);
      assert.deepEqual(p.body, UNAUTHORIZED);
    });

    test('200 with ?sessionId= instead of the header', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/logout', undefined, { token: u.token, query: { sessionId: u.sessionId } });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { success: true, message: '로그아웃이 완료되었습니다.' });
      assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 401);
    });

    test('200 without a token (session left alone)', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/logout', undefined, { sessionId: u.sessionId });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { success: true, message: '로그아웃이 완료되었습니다.' });
      assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200, 'session still valid');
    });
  });

  describe('POST /api/auth/verify-token', () => {
    test('200 with x-auth-token + x-session-id', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/verify-token', undefined, { token: u.token, sessionId: u.sessionId });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['message', 'success', 'user']);
      assert.equal(r.body.success, true);
      assert.equal(r.body.message, '토큰이 유효합니다.');
      assertAuthUser(r.body.user, u);
      assert.equal(r.body.user._id, u.id);
    });

    test('200 with Authorization: Bearer + ?sessionId=', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/verify-token', undefined, { token: u.token, tokenVia: 'bearer', query: { sessionId: u.sessionId } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.message, '토큰이 유효합니다.');
    });

    test('400 (with user:null) when token or session id is missing', T, async () => {
      const u = await registerUser(a);
      const expected = { success: false, message: '토큰 또는 세션 ID가 필요합니다.', user: null };
      for (const opts of [{}, { token: u.token }, { sessionId: u.sessionId }]) {
        const r = await a.post('/api/auth/verify-token', undefined, opts);
        assert.equal(r.status, 400, JSON.stringify(opts));
        assert.deepEqual(r.body, expected);
      }
    });

    test('401 유효하지 않은 토큰입니다. for garbage, tampered and expired tokens', T, async () => {
      const u = await registerUser(a);
      const p = decodeJwtPayload(u.token);
      const now = Math.floor(Date.now() / 1000);
      const expired = await signJwt({ ...p, iat: now - 2 * 86400, exp: now - 86400 }, JWT_SECRET);
      const wrongKey = await signJwt({ ...p }, `${JWT_SECRET}-other`);
      for (const token of ['not-a-jwt', tamper(u.token), expired, wrongKey]) {
        assertError(await a.post('/api/auth/verify-token', undefined, { token, sessionId: u.sessionId }), 401, '유효하지 않은 토큰입니다.');
      }
    });

    test('401 만료된 세션입니다. when the session id does not match', T, async () => {
      const u = await registerUser(a);
      assertError(await a.post('/api/auth/verify-token', undefined, { token: u.token, sessionId: randomBytes(16).toString('hex') }), 401,
        '만료된 세션입니다.');
      // after a new login, the old pair is no longer valid
      await login(a, u.email, u.password);
      assertError(await a.post('/api/auth/verify-token', undefined, { token: u.body.token, sessionId: u.body.sessionId }), 401,
        '만료된 세션입니다.');
    });

    test('401 for a well-signed token of a user that does not exist', T, async () => {
      const now = Math.floor(Date.now() / 1000);
      const sid = randomBytes(16).toString('hex');
      const token = await signJwt({ sub: 'ghost@example.com', userId: 'aaaaaaaaaaaaaaaaaaaaaaaa', sessionId: sid, iat: now, exp: now + 3600 }, JWT_SECRET);
      const r = await a.post('/api/auth/verify-token', undefined, { token, sessionId: sid });
      assert.equal(r.status, 401);
      assert.ok(['사용자를 찾을 수 없습니다.', '만료된 세션입니다.'].includes(r.body.message), JSON.stringify(r.body));
      assert.deepEqual(r.body, { success: false, message: r.body.message });
    });
  });

  describe('POST /api/auth/refresh-token', () => {
    test('200 with a new token and session; old token dies, new one works', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/refresh-token', undefined, { token: u.token, sessionId: u.sessionId });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['message', 'sessionId', 'success', 'token']);
      assert.equal(r.body.success, true);
      assert.equal(r.body.message, '토큰이 갱신되었습니다.');
      assert.match(r.body.token, JWT_RE);
      assert.match(r.body.sessionId, HEX32);
      assert.notEqual(r.body.token, u.token);
      assert.notEqual(r.body.sessionId, u.sessionId);
      assert.equal(decodeJwtPayload(r.body.token).sessionId, r.body.sessionId);
      assert.equal(decodeJwtPayload(r.body.token).userId, u.id);
      assert.equal((await a.get('/api/users/profile', { token: r.body.token })).status, 200);
      assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 401);
      // frontend bug: new token + OLD session id on REST still works (session comes from the claim)
      assert.equal((await a.get('/api/users/profile', { token: r.body.token, sessionId: u.sessionId })).status, 200);
    });

    test('Bearer token and ?sessionId= are accepted', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/refresh-token', undefined, { token: u.token, tokenVia: 'bearer', query: { sessionId: u.sessionId } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.message, '토큰이 갱신되었습니다.');
    });

    test('an expired (but well-signed) token with a valid session is refreshed', T, async () => {
      const u = await registerUser(a);
      const p = decodeJwtPayload(u.token);
      const now = Math.floor(Date.now() / 1000);
      const expired = await signJwt({ ...p, iat: now - 2 * 86400, exp: now - 86400 }, JWT_SECRET);
      const r = await a.post('/api/auth/refresh-token', undefined, { token: expired, sessionId: u.sessionId });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.message, '토큰이 갱신되었습니다.');
      assert.equal((await a.get('/api/users/profile', { token: r.body.token })).status, 200);
    });

    test('400 when token or session id is missing', T, async () => {
      const u = await registerUser(a);
      for (const opts of [{}, { token: u.token }, { sessionId: u.sessionId }]) {
        assertError(await a.post('/api/auth/refresh-token', undefined, opts), 400, '토큰 또는 세션 ID가 필요합니다.');
      }
    });

    test('401 만료된 세션입니다. for a wrong session id', T, async () => {
      const u = await registerUser(a);
      assertError(await a.post('/api/auth/refresh-token', undefined, { token: u.token, sessionId: randomBytes(16).toString('hex') }), 401,
        '만료된 세션입니다.');
      // the real session survives a failed refresh
      assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200);
    });

    test('401 for a badly signed token', T, async () => {
      const u = await registerUser(a);
      const r = await a.post('/api/auth/refresh-token', undefined, { token: tamper(u.token), sessionId: u.sessionId });
      assert.equal(r.status, 401);
      assert.ok(['사용자를 찾을 수 없습니다.', '만료된 세션입니다.', '토큰 갱신 중 오류가 발생했습니다.', '유효하지 않은 토큰입니다.'].includes(r.body.message),
        JSON.stringify(r.body));
      assert.deepEqual(r.body, { success: false, message: r.body.message });
      assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200, 'session unaffected');
    });
  });

  test('GET /api/auth is informational {status:"active", routes}', T, async () => {
    const r = await a.get('/api/auth');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'active');
    assert.equal(typeof r.body.routes, 'object');
    assert.ok(r.body.routes !== null);
  });

  describe('REST authentication (§0.1)', () => {
    let u;
    before(async () => { u = await registerUser(a); });

    for (const via of ['x-auth-token', 'query', 'bearer']) {
      test(`token via ${via} is accepted`, T, async () => {
        const r = await a.get('/api/users/profile', { token: u.token, tokenVia: via });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body, { success: true, user: summary(u) });
      });
      test(`bad token via ${via} → 401 UNAUTHORIZED envelope`, T, async () => {
        for (const token of ['garbage', tamper(u.token)]) {
          const r = await a.get('/api/users/profile', { token, tokenVia: via });
          assert.equal(r.status, 401);
          assert.deepEqual(r.body, UNAUTHORIZED);
        }
      });
    }

    test('no token → 401 UNAUTHORIZED envelope', T, async () => {
      const r = await a.get('/api/users/profile');
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });

    test('the first non-empty source wins: x-auth-token, then ?token=, then Bearer', T, async () => {
      const bad = tamper(u.token);
      // good header, bad query & bearer
      let r = await a.get(`/api/users/profile?token=${bad}`, { token: u.token, headers: { Authorization: `Bearer ${bad}` } });
      assert.equal(r.status, 200);
      // empty header is skipped → query used
      r = await a.get(`/api/users/profile?token=${u.token}`, { headers: { 'x-auth-token': '', Authorization: `Bearer ${bad}` } });
      assert.equal(r.status, 200);
      // bad header is used even if Bearer is good
      r = await a.get('/api/users/profile', { token: bad, headers: { Authorization: `Bearer ${u.token}` } });
      assert.equal(r.status, 401);
      // empty header, empty query → bearer
      r = await a.get('/api/users/profile?token=', { headers: { 'x-auth-token': '', Authorization: `Bearer ${u.token}` } });
      assert.equal(r.status, 200);
    });

    test('x-session-id is not used by protected endpoints (session comes from the JWT claim)', T, async () => {
      const r = await a.get('/api/users/profile', { token: u.token, sessionId: randomBytes(16).toString('hex') });
      assert.equal(r.status, 200);
    });

    test('a token whose claims lack sessionId or userId → 401', T, async () => {
      const p = decodeJwtPayload(u.token);
      const { sessionId, ...noSid } = p;
      const { userId, ...noUid } = p;
      for (const claims of [noSid, noUid]) {
        const token = await signJwt(claims, JWT_SECRET);
        const r = await a.get('/api/users/profile', { token });
        assert.equal(r.status, 401);
        assert.deepEqual(r.body, UNAUTHORIZED);
      }
      assert.ok(sessionId && userId);
    });

    test('an expired token → 401 on protected endpoints', T, async () => {
      const p = decodeJwtPayload(u.token);
      const now = Math.floor(Date.now() / 1000);
      const token = await signJwt({ ...p, iat: now - 2 * 86400, exp: now - 10 }, JWT_SECRET);
      const r = await a.get('/api/users/profile', { token });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });
  });
});

describe('session idle expiry (--session-idle-ms 1500)', { concurrency: true }, () => {
  let srv; let a;
  before(async () => { srv = await startServer({ args: ['--session-idle-ms', '1500'] }); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('an idle session expires: token → 401, verify-token → 만료된 세션입니다.', T, async () => {
    const u = await registerUser(a);
    assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 200);
    await sleep(2300);
    const r = await a.get('/api/users/profile', { token: u.token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, UNAUTHORIZED);
    assertError(await a.post('/api/auth/verify-token', undefined, { token: u.token, sessionId: u.sessionId }), 401, '만료된 세션입니다.');
  });

  test('authenticated calls refresh activity; expiry counts from the last call', T, async () => {
    const u = await registerUser(a);
    // 5 calls 500 ms apart (2.5 s total, > idle) keep the session alive
    for (let i = 0; i < 5; i += 1) {
      await sleep(500);
      const r = await a.get('/api/users/profile', { token: u.token });
      assert.equal(r.status, 200, `call ${i} should still be authenticated`);
    }
    await sleep(2300);
    assert.equal((await a.get('/api/users/profile', { token: u.token })).status, 401);
    // logging in again gives a fresh working session
    const l = await login(a, u.email, u.password);
    assert.equal((await a.get('/api/users/profile', { token: l.token })).status, 200);
  });

  test('an expired session cannot be refreshed', T, async () => {
    const u = await registerUser(a);
    await sleep(2300);
    const r = await a.post('/api/auth/refresh-token', undefined, { token: u.token, sessionId: u.sessionId });
    assertEnvelope(r, 401);
    assert.equal(r.body.message, '만료된 세션입니다.');
  });
});
