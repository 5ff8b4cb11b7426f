// Issue 15 on the REST side: failed-login limits per account and per client IP, registrations
// per IP (429 in the contract's envelope with Retry-After), password changes that must prove the
// current password (and the flag that allows the original web client's flow), and a second
// server on the same data directory or port refusing to start.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startServer, api, registerUser, newUserData, SERVER_BIN } from '../lib/server.mjs';

const T = { timeout: 30000 };
const TOO_MANY = '너무 많은 요청이 발생했습니다. 잠시 후 다시 시도해주세요.';

function assert429(r, maxRequests, windowMs) {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  assert.equal(r.body.success, false);
  assert.equal(r.body.message, TOO_MANY);
  assert.equal(r.body.meta.code, 'TOO_MANY_REQUESTS');
  assert.equal(r.body.meta.maxRequests, maxRequests);
  assert.equal(r.body.meta.windowMs, windowMs);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= Math.ceil(windowMs / 1000), `Retry-After ${retry}`);
  assert.equal(r.body.meta.retryAfter, retry);
}

describe('login and registration limits', () => {
  let srv; let a;
  before(async () => {
    srv = await startServer({ args: ['--login-failures-per-account', '3', '--login-account-window-ms', '60000',
      '--login-failures-per-ip', '5', '--login-ip-window-ms', '60000',
      '--registrations-per-ip', '4', '--register-ip-window-ms', '60000'] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  test('per account: after 3 wrong passwords even the right one gets 429', T, async () => {
    const u = await registerUser(a);
    const from = { headers: { 'X-Forwarded-For': '10.1.0.2' } };
    for (let i = 0; i < 3; i += 1) {
      const r = await a.post('/api/auth/login', { email: u.email, password: 'wrong-pw' }, from);
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    assert429(await a.post('/api/auth/login', { email: u.email, password: u.password }, from), 3, 60000);
    // another address does not help: the account is locked
    assert429(await a.post('/api/auth/login', { email: u.email, password: u.password }, { headers: { 'X-Forwarded-For': '10.1.0.3' } }), 3, 60000);
  });

  test('per IP: 5 failures over different accounts, then 429 for any login from that IP only', T, async () => {
    const ip = { headers: { 'X-Forwarded-For': '10.2.0.1' } };
    for (let i = 0; i < 5; i += 1) {
      const r = await a.post('/api/auth/login', { email: `nobody-${i}-${process.pid}@example.com`, password: 'whatever' }, ip);
      assert.equal(r.status, 401);
    }
    const u = await registerUser(a);
    assert429(await a.post('/api/auth/login', { email: u.email, password: u.password }, ip), 5, 60000);
    const elsewhere = await a.post('/api/auth/login', { email: u.email, password: u.password }, { headers: { 'X-Forwarded-For': '10.2.0.2' } });
    assert.equal(elsewhere.status, 200);
  });

  test('registrations per IP: the 5th attempt from one address gets 429', T, async () => {
    const ip = { headers: { 'X-Forwarded-For': '10.3.0.1' } };
    for (let i = 0; i < 4; i += 1) {
      const r = await a.post('/api/auth/register', newUserData(), ip);
      assert.equal(r.status, 201);
    }
    assert429(await a.post('/api/auth/register', newUserData(), ip), 4, 60000);
    const other = await a.post('/api/auth/register', newUserData(), { headers: { 'X-Forwarded-For': '10.3.0.2' } });
    assert.equal(other.status, 201);
  });
});

describe('password change', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('needs the current password (argon2id-verified) by default', T, async () => {
    const u = await registerUser(a);
    const empty = await a.put('/api/users/profile', { currentPassword: '', newPassword: 'brand-new-1' }, { token: u.token });
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.body.errors, [{ field: 'currentPassword', message: '현재 비밀번호를 입력해주세요.' }]);
    const wrong = await a.put('/api/users/profile', { currentPassword: 'not-it', newPassword: 'brand-new-1' }, { token: u.token });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body.errors, [{ field: 'currentPassword', message: '현재 비밀번호가 일치하지 않습니다.' }]);
    assert.equal((await a.post('/api/auth/login', { email: u.email, password: 'brand-new-1' })).status, 401, 'unchanged');
    const ok = await a.put('/api/users/profile', { currentPassword: u.password, newPassword: 'brand-new-1' }, { token: u.token });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await a.post('/api/auth/login', { email: u.email, password: 'brand-new-1' })).status, 200);
  });

  test('--allow-password-change-without-current keeps the original web client\'s flow', T, async (t) => {
    const s2 = await startServer({ args: ['--allow-password-change-without-current', 'true'] });
    t.after(() => s2.stop());
    const b = api(s2);
    const u = await registerUser(b);
    const r = await b.put('/api/users/profile', { currentPassword: '', newPassword: 'brand-new-2' }, { token: u.token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await b.post('/api/auth/login', { email: u.email, password: 'brand-new-2' })).status, 200);
  });
});

describe('one server per data directory and per port', () => {
  test('a second parley-server on the same data dir or port exits 1 with a clear error; the first keeps serving', T, async () => {
    const srv = await startServer();
    try {
      const sameDir = spawnSync(SERVER_BIN, ['--host', '127.0.0.1', '--port', '0', '--ws-port', '0', '--data-dir', srv.dataDir], { encoding: 'utf8', timeout: 15000 });
      assert.equal(sameDir.status, 1);
      assert.match(sameDir.stdout + sameDir.stderr, /data directory .* is in use by another parley-server \(pid \d+\)/);
      const samePort = spawnSync(SERVER_BIN, ['--host', '127.0.0.1', '--port', String(srv.port), '--ws-port', '0', '--data-dir', `${srv.dataDir}-other`], { encoding: 'utf8', timeout: 15000 });
      assert.equal(samePort.status, 1);
      assert.match(samePort.stdout + samePort.stderr, new RegExp(`127\\.0\\.0\\.1:${srv.port}: the port is in use by another process`));
      assert.equal((await api(srv).get('/api/health')).status, 200);
    } finally {
      rmSync(`${srv.dataDir}-other`, { recursive: true, force: true });
      await srv.stop();
    }
  });
});
