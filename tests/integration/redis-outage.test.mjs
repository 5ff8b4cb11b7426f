// --storage redis when the cluster goes away: REST answers 503 in the contract's envelope, the
// server keeps running, and it serves again by itself once the cluster is back. Starts a Redis
// Cluster of its own (scripts/redis-cluster on ports free now, in a temp dir) and stops it by
// its PID files. Runs in the SQLite pass of the suites only (the Redis pass would repeat it).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, api, registerUser, createRoom, assertError, REPO_ROOT } from '../lib/server.mjs';

const CLUSTER = path.join(REPO_ROOT, 'scripts', 'redis-cluster');
const UNAVAILABLE = '일시적으로 서비스를 사용할 수 없습니다.';
const skip = /--redis-nodes/.test(process.env.PARLEY_SERVER_ARGS || '');

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freeBase(n) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21000 + Math.floor(Math.random() * 8000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = (await portFree(base + i)) && (await portFree(base + i + 10000));
    if (ok) return base;
  }
  throw new Error('no free ports for a Redis cluster');
}

function cluster(...args) {
  return execFileSync(CLUSTER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('redis storage: cluster outage', { skip }, () => {
  let dir; let base; let nodes; let srv; let a;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-outage-'));
    base = await freeBase(6);
    const out = cluster('up', '--base-port', String(base), '--dir', dir);
    nodes = /REDIS_NODES=(\S+)/.exec(out)[1];
    srv = await startServer({
      args: ['--storage', 'redis', '--redis-nodes', nodes, '--redis-timeout-ms', '1000',
        '--redis-wait-replicas', '0'],
    });
    a = api(srv);
  });
  after(async () => {
    try { await srv?.stop(); } finally {
      try { cluster('down', '--dir', dir, '--purge'); } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('503 in the envelope while the cluster is down; serving again once it is back', { timeout: 120000 }, async () => {
    const alice = await registerUser(a, { name: 'Outage Alice' });
    const room = await createRoom(a, alice, { name: 'Before the outage' });

    cluster('down', '--dir', dir);
    const list = await a.get('/api/rooms', { token: alice.token });
    assertError(list, 503, UNAVAILABLE);
    const created = await a.post('/api/rooms', { name: 'During the outage' }, { token: alice.token });
    assertError(created, 503, UNAVAILABLE);
    const login = await a.post('/api/auth/login', { email: alice.email, password: alice.password });
    assertError(login, 503, UNAVAILABLE);
    assert.ok(srv.running, 'the server must keep running');

    cluster('up', '--base-port', String(base), '--dir', dir);
    await waitFor(async () => (await a.get('/api/rooms', { token: alice.token })).status === 200,
      60000, 'the room list to answer 200 again');
    const after = await a.get(`/api/rooms/${room._id}`, { token: alice.token });
    assert.equal(after.status, 200);
    assert.equal(after.body.data.name, 'Before the outage');
  });
});
