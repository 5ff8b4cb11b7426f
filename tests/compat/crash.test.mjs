// Crash and shutdown under load (issue 15, item 6). A short parley-load contest runs against the
// server with --record-acks; the server is killed with SIGKILL mid-run (or stopped with SIGTERM),
// restarted on the same data directory, and every acknowledged message, read receipt and reaction
// must be in history afterwards (verify-acks.mjs). SIGTERM also has to reach every client as a
// disconnect and end the process with status 0 within the drain limit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, api, registerUser, createRoom, REPO_ROOT } from '../lib/server.mjs';
import { connectClient, joinRoom, sleep } from './sio-helpers.mjs';
import { verifyAcks, readAcks } from './verify-acks.mjs';

const LOAD_BIN = process.env.PARLEY_LOAD || path.join(path.dirname(process.env.PARLEY_SERVER || path.join(REPO_ROOT, 'build', 'parley-server')), 'parley-load');

/** Starts a bounded contest (loopback only, stops by itself after `seconds`). */
function startLoad(url, acksFile, seconds) {
  const args = ['--url', url, '--start', '12', '--max', '12', '--hold', `${seconds}s`, '--duration', `${seconds + 5}s`,
    '--send-min', '0.1s', '--send-max', '0.4s', '--reaction-ratio', '0.3', '--threads', '1', '--drain', '1s',
    '--timeout', '3s', '--user-prefix', `crash-${process.pid}-${Date.now()}`, '--record-acks', acksFile, '--quiet'];
  const child = spawn(LOAD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, exited };
}

async function waitForAcks(file, n, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(file) && readAcks(file).filter((a) => a.kind === 'message').length >= n) return;
    await sleep(100);
  }
  throw new Error(`fewer than ${n} acknowledged messages after ${ms} ms`);
}

describe('crash and shutdown under load', { skip: !existsSync(LOAD_BIN) && `parley-load not found at ${LOAD_BIN}` }, () => {
  test('kill -9 mid-contest: everything acknowledged before the kill is in history after a restart', { timeout: 90000 }, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const acksFile = path.join(dir, 'acks.jsonl');
    const srv = await startServer({ dataDir: path.join(dir, 'data') });
    t.after(() => srv.stop().catch(() => {}));
    const load = startLoad(srv.url, acksFile, 20);
    t.after(() => { if (load.child.exitCode === null) load.child.kill('SIGKILL'); });
    await waitForAcks(acksFile, 40, 30000);
    await srv.kill9();
    const before = readAcks(acksFile);  // everything acknowledged up to the kill
    await load.exited;
    await srv.restart();
    const kinds = new Set(before.map((a) => a.kind));
    assert.ok(kinds.has('message') && kinds.has('read') && kinds.has('reaction'), `all three kinds recorded: ${[...kinds]}`);
    const r = await verifyAcks(srv.url, acksFile);
    assert.ok(r.checked >= before.length);
    assert.deepEqual(r.missing, [], `${r.missing.length} of ${r.checked} acknowledged operations lost`);
  });

  test('SIGTERM under load: clients get a disconnect, exit 0 within the drain limit, nothing acknowledged lost', { timeout: 90000 }, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-term-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const acksFile = path.join(dir, 'acks.jsonl');
    const srv = await startServer({ dataDir: path.join(dir, 'data') });
    t.after(() => srv.stop().catch(() => {}));
    const a = api(srv);
    // A few clients of our own, to see what each of them is told.
    const watchers = [];
    for (let i = 0; i < 3; i += 1) {
      const u = await registerUser(a);
      const room = await createRoom(a, u);
      const c = await connectClient(null, srv.url, u, { label: `watcher-${i}` });
      await joinRoom(c, room._id);
      watchers.push(c);
    }
    const load = startLoad(srv.url, acksFile, 20);
    t.after(() => { if (load.child.exitCode === null) load.child.kill('SIGKILL'); });
    await waitForAcks(acksFile, 40, 30000);
    const started = Date.now();
    await srv.stop({ removeDir: false });  // SIGTERM; asserts exit code 0 within 10 s
    const took = Date.now() - started;
    assert.ok(took < 12000, `stopped in ${took} ms`);
    await sleep(200);
    for (const c of watchers) assert.equal(c.disconnects.length, 1, `${c.label} got a disconnect`);
    await load.exited;
    await srv.restart();
    const r = await verifyAcks(srv.url, acksFile);
    assert.deepEqual(r.missing, [], `${r.missing.length} of ${r.checked} acknowledged operations lost`);
  });
});
