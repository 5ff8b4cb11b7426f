// A real S3-compatible server for the files tests: s3rver (tests/s3, installed by
// scripts/bootstrap) on 127.0.0.1, a free port chosen at run time, a fresh directory and one
// bucket. Started and stopped by PID; killed if the test process goes away first. Its on-disk
// layout is how the tests see what the bucket holds without asking the server under test:
//   <dir>/<bucket>/<key>._S3rver_object           a stored object
//   <dir>/<bucket>/._S3rver_uploads/<uploadId>/N  part N of a multipart upload in progress
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';

const LAUNCHER = path.join(REPO_ROOT, 'tests', 's3', 'run-s3rver.mjs');
const READY_TIMEOUT_MS = 15000;
export const S3RVER_KEY = 'S3RVER'; // s3rver's built-in account (id and secret)

const live = new Set();
process.on('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

function launch(dir, bucket, port) {
  return new Promise((resolve, reject) => {
    if (!existsSync(path.join(REPO_ROOT, 'tests', 's3', 'node_modules', '@20minutes', 's3rver'))) {
      reject(new Error('s3rver is not installed: run scripts/bootstrap (npm ci in tests/s3)'));
      return;
    }
    const child = spawn(process.execPath, [LAUNCHER, '--dir', dir, '--bucket', bucket, '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`s3rver not ready in ${READY_TIMEOUT_MS} ms: ${err}`)); },
      READY_TIMEOUT_MS);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /S3RVER_READY port=(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (code=${code}, signal=${signal}) before it was ready: ${err}`));
    });
  });
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** What a bucket directory of s3rver holds (also usable while s3rver is down). */
export function bucketView(dir, bucket) {
  const bucketDir = path.join(dir, bucket);
  const uploadsDir = path.join(bucketDir, '._S3rver_uploads');
  return {
    /** Keys of the stored objects, sorted. */
    objects() {
      return walk(bucketDir)
        .filter((f) => f.endsWith('._S3rver_object') && !f.startsWith(uploadsDir))
        .map((f) => path.relative(bucketDir, f).slice(0, -'._S3rver_object'.length))
        .sort();
    },
    /** Size of an object, or undefined when there is none. */
    size(key) {
      const f = path.join(bucketDir, `${key}._S3rver_object`);
      return existsSync(f) ? statSync(f).size : undefined;
    },
    /** Multipart uploads in progress: [{uploadId, parts}] (parts stored so far). */
    uploads() {
      if (!existsSync(uploadsDir)) return [];
      return readdirSync(uploadsDir).map((uploadId) => ({
        uploadId,
        parts: readdirSync(path.join(uploadsDir, uploadId)).filter((f) => /^\d+$/.test(f)).length,
      }));
    },
  };
}

/** Starts s3rver. Returns {endpoint, port, bucket, dir, pid, serverArgs, objects(), ...}. */
export async function startS3rver({ bucket = 'parley-test' } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-s3-'));
  let { child, port } = await launch(dir, bucket, 0);
  const handle = {
    bucket, dir,
    get port() { return port; },
    get pid() { return child.pid; },
    get endpoint() { return `http://127.0.0.1:${port}`; },
    get running() { return child.exitCode === null && child.signalCode === null; },
    /** The flags that point parley-server at this bucket. */
    get serverArgs() { return ['--blob-store', 's3', '--s3-endpoint', handle.endpoint, '--s3-bucket', bucket]; },
    ...bucketView(dir, bucket),
    /** SIGKILL (the endpoint vanishes mid-request); the directory stays for restart(). */
    async kill() {
      if (!handle.running) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    /** Starts it again on the same directory and port. */
    async restart() {
      await handle.kill();
      ({ child, port } = await launch(dir, bucket, port));
    },
    async stop() {
      if (handle.running) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
