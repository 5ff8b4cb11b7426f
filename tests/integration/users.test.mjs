// Contract §2.2 (users: profile GET/PUT, account delete, status).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, login, newUserData,
  assertValidation, assertIsoNear, UNAUTHORIZED, summary,
} from '../lib/server.mjs';

const T = { timeout: 20000 };

describe('users', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('GET /api/users/profile → 200 {success, user: UserSummary}', T, async () => {
    const u = await registerUser(a, { name: '프로필 사용자' });
    const r = await a.get('/api/users/profile', { token: u.token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { success: true, user: summary(u) });
  });

  test('PUT /api/users/profile {name} → 200, persisted, stored untrimmed', T, async () => {
    const u = await registerUser(a);
    const r = await a.put('/api/users/profile', { name: '  새 이름  ' }, { token: u.token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, {
      success: true, message: '프로필이 업데이트되었습니다.', user: summary(u, { name: '  새 이름  ' }),
    });
    const g = await a.get('/api/users/profile', { token: u.token });
    assert.deepEqual(g.body, { success: true, user: summary(u, { name: '  새 이름  ' }) });
    // login returns the new name too
    const l = await login(a, u.email, u.password);
    assert.equal(l.user.name, '  새 이름  ');
  });

  test('PUT /api/users/profile ignores unknown fields (email is not changed)', T, async () => {
    const u = await registerUser(a);
    const r = await a.put('/api/users/profile', { name: 'Renamed', email: 'hacker@example.com', profileImage: '/x' }, { token: u.token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.user, summary(u, { name: 'Renamed' }));
  });

  test('PUT /api/users/profile 400: missing name → 이름을 입력해주세요.', T, async () => {
    const u = await registerUser(a);
    const r = await a.put('/api/users/profile', {}, { token: u.token });
    assertValidation(r, [{ field: 'name', message: '이름을 입력해주세요.' }], { path: '/api/users/profile' });
  });

  test('PUT /api/users/profile 400: whitespace-only name → 이름을 입력해주세요.', T, async () => {
    const u = await registerUser(a);
    const r = await a.put('/api/users/profile', { name: '   ' }, { token: u.token });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'VALIDATION_ERROR');
    assert.equal(r.body.path, '/api/users/profile');
    assert.ok(r.body.errors.some((e) => e.field === 'name' && e.message === '이름을 입력해주세요.'), JSON.stringify(r.body));
  });

  test('PUT /api/users/profile 400: one-character name → 이름은 2자 이상이어야 합니다.', T, async () => {
    const u = await registerUser(a);
    const r = await a.put('/api/users/profile', { name: 'x' }, { token: u.token });
    assertValidation(r, [{ field: 'name', message: '이름은 2자 이상이어야 합니다.' }], { path: '/api/users/profile' });
    // nothing changed
    const g = await a.get('/api/users/profile', { token: u.token });
    assert.equal(g.body.user.name, u.name);
  });

  test('GET /api/users/status → 200 {success, message:"User API is running", timestamp ISO}', T, async () => {
    const u = await registerUser(a);
    const r = await a.get('/api/users/status', { token: u.token });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['message', 'success', 'timestamp']);
    assert.equal(r.body.success, true);
    assert.equal(r.body.message, 'User API is running');
    assertIsoNear(r.body.timestamp);
  });

  test('all user routes require auth → 401 UNAUTHORIZED', T, async () => {
    const calls = [
      () => a.get('/api/users/profile'),
      () => a.put('/api/users/profile', { name: 'Someone' }),
      () => a.get('/api/users/status'),
      () => a.del('/api/users/account'),
    ];
    for (const c of calls) {
      const r = await c();
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    }
  });

  test('DELETE /api/users/account → 200; the user can no longer log in or use the token', T, async () => {
    const u = await registerUser(a);
    const other = await registerUser(a);
    const r = await a.del('/api/users/account', { token: u.token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { success: true, message: '회원 탈퇴가 완료되었습니다.' });

    const l = await a.post('/api/auth/login', { email: u.email, password: u.password });
    assert.equal(l.status, 401);
    assert.deepEqual(l.body, { success: false, message: '이메일 또는 비밀번호가 올바르지 않습니다.' });

    // the old token: the session may be gone (401) or the user lookup fails (404)
    const p = await a.get('/api/users/profile', { token: u.token });
    if (p.status === 401) assert.deepEqual(p.body, UNAUTHORIZED);
    else { assert.equal(p.status, 404); assert.deepEqual(p.body, { success: false, message: '사용자를 찾을 수 없습니다.' }); }
    const d = await a.del('/api/users/account', { token: u.token });
    assert.ok([401, 404].includes(d.status), `second delete: ${d.status}`);

    // other users are unaffected
    assert.equal((await a.get('/api/users/profile', { token: other.token })).status, 200);
  });

  test('after account deletion the email can be registered again', T, async () => {
    const u = await registerUser(a);
    assert.equal((await a.del('/api/users/account', { token: u.token })).status, 200);
    const r = await a.post('/api/auth/register', newUserData({ email: u.email }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.notEqual(r.body.user._id, u.id);
  });
});
