// /metrics as the real tools see it: the scrape passes Debian's `promtool check metrics`, a real
// `prometheus` (its own temp config and TSDB, a free port, stopped by PID) scrapes the server's
// --metrics-port every second, and a counter this test moves shows up in its query API.
// Also --version and parley_build_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, api, registerUser, createRoom, SERVER_BIN, sleep, STORAGE } from '../lib/server.mjs';

const PROMTOOL = process.env.PROMTOOL || '/usr/bin/promtool';
const PROMETHEUS = process.env.PROMETHEUS || '/usr/bin/prometheus';

function metricsPort(server) {
  const m = /^PARLEY_METRICS port=(\d+)\s*$/m.exec(server.logs().stdout);
  assert.ok(m, `PARLEY_METRICS line in stdout:\n${server.logs().stdout}`);
  return Number(m[1]);
}

async function scrape(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(10000) });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

// Sum of the samples of `name` whose labels include `labels`, from a text exposition.
function value(text, name, labels = {}) {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) { sum += Number(m[3]); seen = true; }
  }
  return seen ? sum : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

test('--version prints the version and commit, and parley_build_info has the same', async () => {
  const r = spawnSync(SERVER_BIN, ['--version'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  const m = /^parley-server (\d+\.\d+\.\d+) \(commit ([0-9a-f]+(?:-dirty)?|unknown)\)$/m.exec(r.stdout);
  assert.ok(m, `--version output: ${r.stdout}`);
  const server = await startServer();
  try {
    const s = await scrape(`${server.url}/metrics`);
    assert.equal(value(s.text, 'parley_build_info', { version: m[1], commit: m[2] }), 1, s.text.slice(0, 400));
  } finally {
    await server.stop();
  }
});

test('the scrape is valid exposition (promtool) and has the documented families', async () => {
  const server = await startServer({ args: ['--metrics-port', '0'] });
  try {
    const user = await registerUser(server);
    await createRoom(server, user);
    await api(server).get('/api/rooms', { token: user.token });
    await api(server).get('/no/such/path');

    const s = await scrape(`${server.url}/metrics`);
    assert.equal(s.status, 200);
    assert.equal(s.type, 'text/plain; version=0.0.4; charset=utf-8');
    for (const family of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds',
      'process_threads', 'parley_sio_sockets', 'parley_sio_events_in_total', 'parley_sio_events_out_total',
      'parley_http_requests_total', 'parley_http_request_duration_seconds', 'parley_store_op_duration_seconds',
      // The SQLite writer's queue and group commits; a Redis node has the client's counters.
      ...(STORAGE === 'redis' ? ['parley_redis_commands_total', 'parley_redis_redirects_total',
        'parley_bus_published_total', 'parley_bus_gaps_total']
        : ['parley_store_queue_depth', 'parley_store_batch_size']),
      'parley_ws_frames_written_total',
      'parley_ws_bytes_written_total', 'parley_write_passes_total', 'parley_slow_consumer_closes_total',
      'parley_hash_queue_depth', 'parley_hash_duration_seconds', 'parley_ai_streams_total',
      'parley_ai_chunks_total', 'parley_ai_errors_total', 'parley_build_info', 'parley_broadcast_delivery_seconds',
      'parley_write_pass_duration_seconds', 'parley_hub_groups', 'parley_http_connections']) {
      assert.match(s.text, new RegExp(`^# TYPE ${family} `, 'm'), `family ${family}`);
    }
    // Routes by pattern, not raw path; unmatched paths in one series.
    assert.equal(value(s.text, 'parley_http_requests_total', { route: '/api/auth/register', status: '201' }), 1);
    assert.equal(value(s.text, 'parley_http_requests_total', { route: '/api/rooms', status: '201' }), 1);
    assert.equal(value(s.text, 'parley_http_requests_total', { route: '/api/rooms', status: '200' }), 1);
    assert.equal(value(s.text, 'parley_http_requests_total', { route: 'unmatched', status: '404' }), 1);
    assert.equal(value(s.text, 'parley_http_request_duration_seconds_count', { route: '/api/rooms' }), 2);
    assert.equal(value(s.text, 'parley_http_request_duration_seconds_bucket', { route: '/api/rooms', le: '+Inf' }), 2);
    // The registration's hash and the writes behind it.
    assert.ok(value(s.text, 'parley_hash_duration_seconds_count') >= 1);
    assert.ok(value(s.text, 'parley_store_op_duration_seconds_count', { op: 'create_user' }) >= 1);
    if (STORAGE === 'redis') assert.ok(value(s.text, 'parley_redis_commands_total', { client: 'store' }) >= 1);
    else assert.ok(value(s.text, 'parley_store_batch_size_count') >= 1);
    assert.ok(value(s.text, 'process_resident_memory_bytes') > 1e6);

    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: s.text, encoding: 'utf8', timeout: 30000 });
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);

    // The separate listener serves the same families and nothing else.
    const port = metricsPort(server);
    const other = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.equal(other.status, 200);
    assert.match(other.text, /^# TYPE parley_store_op_duration_seconds histogram$/m);
    assert.equal((await scrape(`http://127.0.0.1:${port}/api/health`)).status, 404);
  } finally {
    await server.stop();
  }
});

test('a real prometheus scrapes the server and sees a counter the test moved', async (t) => {
  assert.ok(existsSync(PROMETHEUS), `prometheus binary at ${PROMETHEUS} (Debian package prometheus)`);
  const server = await startServer({ args: ['--metrics-port', '0'] });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-prom-'));
  let prom = null;
  let promLog = '';
  t.after(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom.once('exit', r));
      process.kill(prom.pid, 'SIGTERM');
      const timer = setTimeout(() => { try { process.kill(prom.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  });
  const target = `127.0.0.1:${metricsPort(server)}`;
  writeFileSync(path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
    `  - job_name: parley\n    static_configs:\n      - targets: ['${target}']\n`);
  const promPort = await freePort();
  prom = spawn(PROMETHEUS, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`, '--storage.tsdb.retention.time=1h',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  prom.stdout.on('data', (d) => { promLog = (promLog + d).slice(-8000); });
  prom.stderr.on('data', (d) => { promLog = (promLog + d).slice(-8000); });
  const promUrl = `http://127.0.0.1:${promPort}`;

  async function query(q) {
    try {
      const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
      if (!r.ok) return undefined;
      const body = await r.json();
      const res = body.data?.result || [];
      return res.length ? Number(res[0].value[1]) : undefined;
    } catch { return undefined; }
  }
  async function until(what, fn, ms = 30000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline || prom.exitCode !== null) assert.fail(`${what} within ${ms} ms; prometheus log:\n${promLog}`);
      await sleep(250);
    }
  }

  const client = api(server);
  const series = 'sum(parley_http_requests_total{route="/api/health",status="200"})';
  assert.equal((await client.get('/api/health')).status, 200);
  const base = await until('the first scrape with /api/health counted', () => query(series));
  assert.ok(base >= 1);
  const N = 7;
  for (let i = 0; i < N; i++) assert.equal((await client.get('/api/health')).status, 200);
  const moved = await until(`the counter at ${base + N}`, async () => {
    const v = await query(series);
    return v !== undefined && v >= base + N ? v : undefined;
  });
  assert.equal(moved, base + N);
  // The target is healthy and the process metrics arrive as well.
  assert.equal(await query(`up{instance="${target}"}`), 1);
  assert.ok((await query('process_resident_memory_bytes')) > 1e6);
});

test('/dashboard: 404 without --admin-token, 401 without or with a wrong token, 200 with it', async () => {
  const plain = await startServer();
  try {
    assert.equal((await scrape(`${plain.url}/dashboard`)).status, 404);
    assert.equal((await scrape(`${plain.url}/dashboard?token=x`)).status, 404);
  } finally {
    await plain.stop();
  }
  const token = 'tok-' + Math.random().toString(36).slice(2);
  const server = await startServer({ args: ['--admin-token', token] });
  try {
    assert.equal((await scrape(`${server.url}/dashboard`)).status, 401);
    assert.equal((await scrape(`${server.url}/dashboard?token=${token}x`)).status, 401);
    const bad = await fetch(`${server.url}/dashboard`, { headers: { Authorization: `Bearer ${token.slice(1)}` } });
    assert.equal(bad.status, 401);
    const viaQuery = await scrape(`${server.url}/dashboard?token=${encodeURIComponent(token)}`);
    assert.equal(viaQuery.status, 200);
    assert.match(viaQuery.type, /^text\/html/);
    assert.match(viaQuery.text, /<canvas|chart-/);
    assert.doesNotMatch(viaQuery.text, /<script[^>]+src=/, 'no external scripts');
    const viaHeader = await fetch(`${server.url}/dashboard`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(viaHeader.status, 200);
  } finally {
    await server.stop();
  }
});

test('deploy/monitoring/prometheus.yml (the cluster template) is a valid prometheus config', () => {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'deploy', 'monitoring', 'prometheus.yml');
  const r = spawnSync(PROMTOOL, ['check', 'config', file], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
