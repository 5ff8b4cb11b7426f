// parley-load against a real parley-server: a tiny bounded contest ramp must come out clean
// (no failures, no lost/duplicated/reordered message) with a self-consistent JSON report; an idle
// crowd split over two worker processes must merge into one result; a dead port must be reported
// as failures (the tool tells the truth); a non-loopback target must be refused.
// Binary: $PARLEY_LOAD or <repo>/build/parley-load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../lib/server.mjs';

const LOAD_BIN = process.env.PARLEY_LOAD || path.join(REPO_ROOT, 'build', 'parley-load');
const RUN_TIMEOUT_MS = 90000;

function runLoad(args) {
  return new Promise((resolve, reject) => {
    if (!existsSync(LOAD_BIN)) {
      reject(new Error(`parley-load not found at ${LOAD_BIN} (set PARLEY_LOAD)`));
      return;
    }
    const child = spawn(LOAD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// Structure and internal consistency every report must have, clean or not.
function assertReportShape(r) {
  assert.equal(r.tool, 'parley-load');
  for (const k of ['config', 'started_at', 'elapsed_s', 'stop_reason', 'ops', 'totals', 'delivery',
    'messages', 'peak', 'steps', 'series', 'resources', 'crowd', 'tool_limit', 'server', 'thresholds',
    'clean', 'pass']) {
    assert.ok(k in r, `report has ${k}`);
  }
  const opNames = ['register', 'login', 'room_list', 'room_create', 'rest_join', 'room_read',
    'socket_connect', 'join_room', 'history_fetch', 'message_send', 'delivery', 'read_receipt',
    'reaction', 'upload', 'socket_held'];
  assert.deepEqual(Object.keys(r.ops).sort(), [...opNames].sort());
  for (const [name, op] of Object.entries(r.ops)) {
    assert.equal(typeof op.ok, 'number', `${name}.ok`);
    assert.equal(typeof op.failed, 'number', `${name}.failed`);
    assert.equal(sum(Object.values(op.reasons)), op.failed, `${name}: reasons add up to failed`);
    for (const k of ['count', 'p50', 'p90', 'p99', 'p999', 'max']) assert.equal(typeof op.latency_ms[k], 'number');
    const l = op.latency_ms;
    assert.ok(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, `${name}: percentiles ordered`);
  }
  assert.equal(r.totals.ok, sum(Object.values(r.ops).map((o) => o.ok)), 'totals.ok = Σ ops');
  assert.equal(r.totals.failed, sum(Object.values(r.ops).map((o) => o.failed)), 'totals.failed = Σ ops');
  assert.equal(sum(r.steps.map((s) => s.ok)), r.totals.ok, 'score table adds up (ok)');
  assert.equal(sum(r.steps.map((s) => s.failed)), r.totals.failed, 'score table adds up (failed)');
  assert.equal(sum(r.series.map((p) => p.msgs_out)), r.messages.sent, 'series adds up (sent)');
  assert.equal(sum(r.series.map((p) => p.msgs_in)), r.messages.received, 'series adds up (received)');
  assert.equal(r.ops.delivery.ok, r.delivery.delivered);
  assert.equal(r.ops.delivery.failed, r.delivery.lost);
  assert.equal(r.delivery.expected, r.delivery.delivered + r.delivery.lost);
  assert.equal(r.clean, r.totals.failed === 0 && r.delivery.lost === 0 && r.delivery.duplicated === 0
    && r.delivery.reordered === 0 && r.delivery.late === 0 && r.delivery.foreign === 0);
  // A run passes when it is clean, its crowd was there at every step, and every threshold holds.
  assert.equal(r.pass, r.clean && r.crowd.ok && r.thresholds.every((t) => t.pass));
  for (const s of r.steps) {
    assert.equal(typeof s.connected, 'number', 'the score table shows the crowd that was there');
    assert.equal(s.crowd_ok, s.crowd_fail === '');
  }
}

test('contest ramp against a real server: clean run, consistent report', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-'));
  try {
    const json = path.join(dir, 'run.json');
    const html = path.join(dir, 'run.html');
    const res = await runLoad(['--url', server.url, '--start', '5', '--step', '5', '--every', '2s',
      '--max', '15', '--hold', '3s', '--threads', '2', '--seed', '7', '--quiet',
      '--user-prefix', `it-${process.pid}`, '--json', json, '--html', html]);
    assert.equal(res.code, 0, `exit 0 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assertReportShape(r);
    assert.equal(r.config.scenario, 'contest');
    assert.equal(r.stop_reason, 'schedule complete');
    assert.equal(r.totals.failed, 0, `no failures: ${JSON.stringify(r.ops)}`);
    for (const k of ['lost', 'duplicated', 'reordered', 'late', 'foreign']) assert.equal(r.delivery[k], 0, k);
    assert.equal(r.pass, true);
    assert.equal(r.peak.users, 15);
    // Every one of the 15 users went all the way: REST join, room read, socket, joinRoom, history.
    for (const op of ['rest_join', 'room_read', 'socket_connect', 'join_room', 'history_fetch', 'socket_held']) {
      assert.equal(r.ops[op].ok, 15, `${op}.ok`);
    }
    assert.equal(r.ops.login.ok + r.ops.register.ok >= 15, true, 'every user authenticated');
    assert.ok(r.ops.room_create.ok >= 3 && r.ops.room_create.ok <= 8, `rooms of 2-5 users: ${r.ops.room_create.ok}`);
    assert.equal(r.ops.room_list.ok, r.ops.room_create.ok, 'the organiser lists before each create');
    assert.ok(r.messages.sent > 0, 'messages were sent');
    assert.equal(r.ops.message_send.ok, r.messages.sent, 'every message echoed to its sender');
    assert.ok(r.delivery.expected > 0, 'deliveries were checked');
    assert.ok(r.ops.read_receipt.ok > 0, 'read receipts were acknowledged');
    assert.ok(r.messages.received >= r.messages.sent + r.delivery.delivered, 'received echoes + deliveries');
    assert.deepEqual(r.steps.map((s) => s.target), [5, 10, 15]);
    assert.deepEqual(r.steps.map((s) => s.connected), [5, 10, 15], 'the whole crowd was there');
    assert.equal(r.crowd.ok, true);
    assert.ok(r.series.length >= 7, 'one point per second');
    assert.ok(r.resources.tool_cpu_s >= 0 && r.resources.peak_rss_kb > 0);
    assert.match(res.stdout, /verdict: PASS/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg/);
    assert.match(page, /Score by crowd step/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});

test('idle crowd over two worker processes merges into one result', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-'));
  try {
    const json = path.join(dir, 'idle.json');
    const res = await runLoad(['--scenario', 'idle', '--url', server.url, '--ws-url', `http://127.0.0.1:${server.wsPort || server.port}`,
      '--start', '6', '--max', '6', '--hold', '3s', '--procs', '2', '--threads', '1', '--quiet',
      '--source-ips', '127.0.0.2-127.0.0.4', '--user-prefix', `it-idle-${process.pid}`, '--json', json]);
    assert.equal(res.code, 0, `exit 0 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assertReportShape(r);
    assert.equal(r.config.procs, 2);
    assert.equal(r.totals.failed, 0, JSON.stringify(r.ops));
    assert.equal(r.peak.users, 6);
    assert.equal(r.peak.connected, 6);
    assert.equal(r.ops.socket_connect.ok, 6);
    assert.equal(r.ops.socket_held.ok, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});

test('a dead port is reported as failures, not as success', async () => {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-'));
  try {
    const json = path.join(dir, 'dead.json');
    for (const scenario of ['contest', 'idle']) {
      const res = await runLoad(['--scenario', scenario, '--url', `http://127.0.0.1:${port}`, '--start', '3',
        '--max', '3', '--hold', '2s', '--timeout', '2s', '--quiet', '--json', json]);
      assert.equal(res.code, 1, `exit 1 expected for ${scenario}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
      const r = JSON.parse(readFileSync(json, 'utf8'));
      assertReportShape(r);
      assert.equal(r.pass, false);
      assert.ok(r.totals.failed > 0, 'failures counted');
      assert.equal(r.totals.ok, 0, 'nothing succeeded');
      const reasons = Object.values(r.ops).flatMap((o) => Object.keys(o.reasons));
      assert.ok(reasons.some((x) => /connect/.test(x)), `a connect failure is named: ${reasons}`);
      assert.match(res.stdout, /verdict: FAIL/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a target outside 127.0.0.0/8, ::1 and localhost is refused with exit 2', async () => {
  for (const url of ['http://10.1.2.3:5001', 'http://example.com:5001', 'http://192.168.0.1']) {
    const res = await runLoad(['--url', url, '--max', '1', '--hold', '1s']);
    assert.equal(res.code, 2, `${url}: exit 2`);
    assert.match(res.stderr, /not a loopback address/);
  }
  const ws = await runLoad(['--url', 'http://127.0.0.1:5001', '--ws-url', 'http://172.16.0.1:5002', '--max', '1']);
  assert.equal(ws.code, 2);
  const src = await runLoad(['--url', 'http://127.0.0.1:5001', '--source-ips', '10.0.0.1', '--max', '1']);
  assert.equal(src.code, 2);
  assert.match(src.stderr, /not loopback/);
});
