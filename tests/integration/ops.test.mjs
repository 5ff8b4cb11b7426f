// Operations (issue 16 item 5): JSON log lines, the access log, thread names, and the load
// balancer probes /health/live and /health/ready (503 while draining after SIGTERM).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, api, sleep, SERVER_BIN, STORAGE } from '../lib/server.mjs';

const T = { timeout: 30000 };

async function until(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('logs', () => {
  const dirs = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test('--log-format json: every log line is one JSON object with ts, level, thread, msg', T, async () => {
    const srv = await startServer({ args: ['--log-level', 'info', '--log-format', 'json'] });
    try {
      await api(srv).get('/api/health');
    } finally {
      await srv.stop();
    }
    const lines = srv.logs().stdout.split('\n').filter((l) => l.startsWith('{'));
    assert.ok(lines.length >= 3, `expected startup log lines, got:\n${srv.logs().stdout}`);
    for (const line of lines) {
      const o = JSON.parse(line);
      assert.match(o.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, line);
      assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(o.level), line);
      assert.equal(typeof o.thread, 'string', line);
      assert.ok(o.thread.length > 0, line);
      assert.equal(typeof o.msg, 'string', line);
    }
    assert.ok(lines.some((l) => JSON.parse(l).msg.includes('shutting down')), 'the shutdown line is JSON too');
    // Nothing else on stdout but the two banner lines the harness reads.
    const other = srv.logs().stdout.split('\n').filter((l) => l && !l.startsWith('{'));
    assert.ok(other.every((l) => /^(Parley is running|PARLEY_READY)/.test(l)), `non-JSON lines: ${other.join('\n')}`);
  });

  test('--access-log FILE: one line per request with method, path, status, bytes, duration, ip, request id', T, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-access-'));
    dirs.push(dir);
    const file = path.join(dir, 'access.log');
    const srv = await startServer({ args: ['--access-log', file, '--log-format', 'json'] });
    try {
      const a = api(srv);
      assert.equal((await a.get('/api/health', { headers: { 'x-request-id': 'probe-1' } })).status, 200);
      assert.equal((await a.get('/api/nope?token=secret')).status, 404);
      assert.equal((await a.get('/api/rooms')).status, 401);
      const entries = await until('three access lines', () => {
        if (!existsSync(file)) return null;
        const l = readFileSync(file, 'utf8').split('\n').filter(Boolean);
        return l.length >= 3 ? l.map((x) => JSON.parse(x)) : null;
      });
      const [health, missing, rooms] = entries;
      assert.equal(health.method, 'GET');
      assert.equal(health.path, '/api/health');
      assert.equal(health.status, 200);
      assert.equal(health.request_id, 'probe-1', 'the client X-Request-Id is kept');
      assert.equal(health.client_ip, '127.0.0.1');
      assert.ok(health.bytes > 50, `bytes ${health.bytes}`);
      assert.ok(health.duration_ms >= 0 && health.duration_ms < 5000, `duration ${health.duration_ms}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.path, '/api/nope', 'the query (it may hold a token) is not logged');
      assert.match(missing.request_id, /^[0-9a-f]{16}$/, 'a request id is made up when none is sent');
      assert.notEqual(missing.request_id, rooms.request_id);
      assert.equal(rooms.status, 401);
    } finally {
      await srv.stop();
    }
  });

  test('threads are named: loop-N, sqlite-writer, sqlite-reader-N, hash-N, file-io-N', T, async () => {
    const srv = await startServer({ args: ['--threads', '2', '--hash-threads', '2'] });
    try {
      // The store's threads: SQLite's writer and readers, or the Redis Cluster client's I/O thread.
      const store = STORAGE === 'redis' ? ['redis-io'] : ['sqlite-writer', 'sqlite-reader-0'];
      const wanted = ['loop-0', 'loop-1', ...store, 'hash-0', 'hash-1', 'file-io-0'];
      const names = () => readdirSync(`/proc/${srv.pid}/task`).map(
        (t) => readFileSync(`/proc/${srv.pid}/task/${t}/comm`, 'utf8').trim());
      // The loops name themselves when they start, which may be just after PARLEY_READY.
      await until('named threads', () => wanted.every((w) => names().includes(w)), 5000)
        .catch(() => assert.fail(`wanted ${wanted.join(', ')}; threads: ${names().join(', ')}`));
    } finally {
      await srv.stop();
    }
  });
});

describe('health probes', () => {
  test('/health/live is 200; /health/ready is 200 with the store ping', T, async () => {
    const srv = await startServer();
    try {
      const a = api(srv);
      const live = await a.get('/health/live');
      assert.equal(live.status, 200);
      assert.equal(live.body.status, 'live');
      const ready = await a.get('/health/ready');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');
      assert.equal(typeof ready.body.store_ping_us, 'number');
      // The contract's health endpoint is unchanged (a cluster node adds "node" and "cluster").
      const health = await a.get('/api/health');
      assert.deepEqual(Object.keys(health.body).sort(), STORAGE === 'redis'
        ? ['cluster', 'env', 'node', 'status', 'timestamp'] : ['env', 'status', 'timestamp']);
    } finally {
      await srv.stop();
    }
  });

  test('SIGTERM: /health/ready answers 503 during the drain delay, live stays 200, exit 0', T, async () => {
    const srv = await startServer({ args: ['--drain-delay-ms', '3000'] });
    const a = api(srv);
    assert.equal((await a.get('/health/ready')).status, 200);
    process.kill(srv.pid, 'SIGTERM');
    const ready = await until('ready to turn 503', async () => {
      const r = await a.get('/health/ready');
      return r.status === 503 ? r : null;
    }, 2500);
    assert.equal(ready.body.status, 'draining');
    assert.equal((await a.get('/health/live')).status, 200, 'the process still answers');
    await srv.stop();  // waits for the exit and asserts code 0
  });
});
