// parley-load through haproxy on a 3-node cluster: a short contest ramp (15 users, rooms of 2-5
// spread over the nodes by haproxy's balancing) with 0 failures and 0 lost / duplicated /
// reordered / late / foreign deliveries, the same bar as against one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../lib/server.mjs';
import { startCluster } from './cluster.mjs';

const LOAD_BIN = process.env.PARLEY_LOAD || path.join(REPO_ROOT, 'build', 'parley-load');

function runLoad(args) {
  return new Promise((resolve, reject) => {
    if (!existsSync(LOAD_BIN)) { reject(new Error(`parley-load not found at ${LOAD_BIN}`)); return; }
    const child = spawn(LOAD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
    child.once('error', reject);
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

let cl;
before(async () => { cl = await startCluster({ nodes: 3, serverArgs: ['--redis-wait-replicas', '0'] }); });
after(async () => { await cl?.stop(); });

test('parley-load contest ramp through haproxy: clean run', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-load-'));
  try {
    const json = path.join(dir, 'run.json');
    const res = await runLoad(['--url', cl.url, '--ws-url', cl.wsUrl, '--start', '5', '--step', '5',
      '--every', '2s', '--max', '15', '--hold', '3s', '--threads', '2', '--seed', '11', '--quiet',
      '--user-prefix', `cl-${process.pid}`, '--json', json]);
    assert.equal(res.code, 0, `exit 0 expected\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(r.stop_reason, 'schedule complete');
    assert.equal(r.totals.failed, 0, `no failures: ${JSON.stringify(r.ops)}`);
    for (const k of ['lost', 'duplicated', 'reordered', 'late', 'foreign']) assert.equal(r.delivery[k], 0, k);
    assert.equal(r.peak.users, 15);
    assert.ok(r.messages.sent > 0 && r.delivery.expected > 0, 'messages were sent and deliveries checked');
    assert.equal(r.pass, true);
    // the three nodes all took part (haproxy balanced the REST requests and sockets over them)
    for (const n of cl.nodes) {
      const log = readFileSync(path.join(cl.dir, n.id, 'log'), 'utf8');
      assert.ok(!/critical|terminate called/i.test(log), `${n.id} log is clean`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
