// parley-load reading the server and judging the run: --server-metrics against a real HTTP
// server speaking the Prometheus text format (a stand-in for the server's /metrics, whose CPU
// counter advances at a known rate), --threshold deciding the exit code (one run that meets its
// thresholds exits 0, one that misses one exits 1 and says which), and a crowd that never
// arrives failing the run with the reason even when the report would otherwise pass.
// Binary: $PARLEY_LOAD or <repo>/build/parley-load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
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

// A /metrics page whose process CPU grows 0.25 s per second and whose store histogram gets 100
// operations per scrape, 99 of them in (1, 5] ms and one in (5, 10] ms.
function startFakeMetrics() {
  const started = Date.now();
  let scrapes = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes += 1;
    const cpu = (0.25 * (Date.now() - started)) / 1000;
    const n = 100 * scrapes;
    const page = [
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${cpu.toFixed(6)}`,
      '# TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 5.24288e+07',
      '# TYPE parley_sio_sockets gauge',
      'parley_sio_sockets{transport="websocket",loop="0"} 3',
      'parley_sio_sockets{transport="websocket",loop="1"} 4',
      '# TYPE parley_store_queue_depth gauge',
      'parley_store_queue_depth 2',
      '# TYPE parley_build_info gauge',
      'parley_build_info{version="9.9.9-test",commit="feedface",note="a \\"quoted\\" \\\\ value"} 1',
      '# TYPE parley_store_op_duration_seconds histogram',
      'parley_store_op_duration_seconds_bucket{op="insert",le="0.001"} 0',
      `parley_store_op_duration_seconds_bucket{op="insert",le="0.005"} ${0.99 * n}`,
      `parley_store_op_duration_seconds_bucket{op="insert",le="0.01"} ${n}`,
      `parley_store_op_duration_seconds_bucket{op="insert",le="+Inf"} ${n}`,
      `parley_store_op_duration_seconds_sum{op="insert"} ${(0.003 * n).toFixed(6)}`,
      `parley_store_op_duration_seconds_count{op="insert"} ${n}`,
      '',
    ].join('\n');
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(page);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/metrics`,
        scrapes: () => scrapes,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

const idleArgs = (server, prefix, hold = '4s') => ['--scenario', 'idle', '--url', server.url, '--start', '4',
  '--max', '4', '--hold', hold, '--threads', '1', '--quiet', '--user-prefix', prefix];

test('--server-metrics records the server figures; met thresholds exit 0', async () => {
  const server = await startServer();
  const metrics = await startFakeMetrics();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-th-'));
  try {
    const json = path.join(dir, 'run.json');
    const html = path.join(dir, 'run.html');
    const res = await runLoad([...idleArgs(server, `it-th-${process.pid}`),
      '--server-metrics', metrics.url, '--threshold', 'failed==0', '--threshold', 'server.cpu<1.5',
      '--threshold', 'socket_connect.p99<10s', '--threshold', 'server.store.p99<= 10ms',
      '--json', json, '--html', html]);
    assert.equal(res.code, 0, `exit 0 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(r.pass, true);
    assert.equal(r.server.length, 1);
    const s = r.server[0];
    assert.equal(s.url, metrics.url);
    assert.equal(s.version, '9.9.9-test');
    assert.equal(s.commit, 'feedface');
    assert.equal(s.failures, 0, s.last_error);
    assert.ok(s.scrapes >= 4 && s.scrapes <= metrics.scrapes(), `scrapes: ${s.scrapes}`);
    assert.equal(s.series.length, s.scrapes);
    // 0.25 CPU-seconds per second (scrape timing jitters on a busy machine).
    assert.ok(s.summary.cpu_cores.mean > 0.15 && s.summary.cpu_cores.mean < 0.4, JSON.stringify(s.summary.cpu_cores));
    assert.equal(s.summary.rss_bytes.max, 52428800);
    assert.equal(s.summary.sockets.max, 7);
    assert.equal(s.summary.queue_depth.max, 2);
    // 99 of each 100 in (1, 5] ms: the p99 estimate is 5 ms; the mean is 3 ms.
    assert.ok(Math.abs(s.summary.store_p99_ms.max - 5) < 0.01, JSON.stringify(s.summary.store_p99_ms));
    assert.ok(Math.abs(s.summary.store_mean_ms.mean - 3) < 0.01, JSON.stringify(s.summary.store_mean_ms));
    assert.deepEqual(r.thresholds.map((t) => [t.expr, t.pass]), [
      ['failed==0', true], ['server.cpu<1.5', true], ['socket_connect.p99<10s', true],
      ['server.store.p99<= 10ms', true]]);
    assert.equal(r.thresholds[0].actual, 0);
    assert.match(res.stdout, /verdict: PASS/);
    assert.match(res.stdout, /9\.9\.9-test feedface/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /Server CPU/);
    assert.match(page, /Thresholds/);
    assert.ok(r.tool_limit && Array.isArray(r.tool_limit.loops) && r.tool_limit.loops.length === 1, 'loop figures reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await metrics.close();
    await server.stop();
  }
});

test('a missed threshold fails a clean run with exit 1 and names it', async () => {
  const server = await startServer();
  const metrics = await startFakeMetrics();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-th-'));
  try {
    const json = path.join(dir, 'run.json');
    const res = await runLoad([...idleArgs(server, `it-th2-${process.pid}`),
      '--server-metrics', metrics.url, '--threshold', 'failed==0', '--threshold', 'server.cpu<10%',
      '--threshold', 'server.queue_depth<1', '--json', json]);
    assert.equal(res.code, 1, `exit 1 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(r.totals.failed, 0, 'the traffic itself was clean');
    assert.equal(r.clean, true);
    assert.equal(r.pass, false);
    assert.deepEqual(r.thresholds.map((t) => t.pass), [true, false, false]);
    assert.match(res.stdout, /FAIL\s+server\.cpu<10%/);
    assert.match(res.stdout, /2 threshold\(s\) not met/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await metrics.close();
    await server.stop();
  }
});

test('a threshold on a server figure never scraped fails; a bad expression is a usage error', async () => {
  const server = await startServer();
  try {
    const res = await runLoad([...idleArgs(server, `it-th3-${process.pid}`, '2s'),
      '--threshold', 'server.cpu<1.5']);
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stdout, /FAIL\s+server\.cpu<1\.5\s+actual no data/);
  } finally {
    await server.stop();
  }
  for (const bad of ['delivery.p99<200MiB', 'nosuch<1', 'failed=0']) {
    const res = await runLoad(['--url', 'http://127.0.0.1:5001', '--threshold', bad]);
    assert.equal(res.code, 2, bad);
    assert.match(res.stderr, /--threshold/);
  }
  const res = await runLoad(['--url', 'http://127.0.0.1:5001', '--server-metrics', 'http://10.0.0.1:9100/metrics']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /not a loopback address/);
});

test('a crowd that never arrives fails the run with the reason', async () => {
  // The server admits 3 connections; the tool wants 6 sockets. Whatever else fails, the score
  // table must show the crowd that was there and the step must fail its crowd.
  const server = await startServer({ args: ['--max-connections', '3'] });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-load-th-'));
  try {
    const json = path.join(dir, 'run.json');
    const res = await runLoad(['--scenario', 'idle', '--url', server.url, '--start', '6', '--max', '6',
      '--hold', '5s', '--timeout', '2s', '--threads', '1', '--quiet', '--user-prefix', `it-crowd-${process.pid}`,
      '--json', json]);
    assert.equal(res.code, 1, `exit 1 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(r.pass, false);
    assert.equal(r.crowd.ok, false);
    assert.equal(r.crowd.by, 'sockets');
    assert.ok(r.crowd.failures.length >= 1);
    assert.match(r.crowd.failures[0], /step 0 \(target 6\): only \d of 6 users there/);
    assert.equal(r.steps[0].crowd_ok, false);
    assert.ok(r.steps[0].connected < 6, `connected ${r.steps[0].connected}`);
    assert.ok(r.steps[0].crowd_short_s >= 1);
    assert.match(res.stdout, /crowd short: step 0/);
    assert.match(res.stdout, /crowd short in 1 step/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});
