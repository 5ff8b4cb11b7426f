// Harness for the multi-node suites: scripts/cluster up on free ports chosen now (a Redis Cluster,
// N parley-server nodes, haproxy and, by default, one s3rver as the nodes' blob store), in a
// temporary directory; `stop()` runs scripts/cluster down, which stops exactly the processes
// whose PID files it wrote. Also: which node a socket is on
// (the node id prefix of its Engine.IO session id) and a client that lands on a given node.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, SERVER_BIN, BANNED_WORDS } from '../lib/server.mjs';
import { bucketView } from '../lib/s3rver.mjs';
import { connectClient } from '../compat/sio-helpers.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'cluster');

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// A base port whose `offsets` are all free right now.
async function freeBase(lo, hi, offsets) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const base = lo + Math.floor(Math.random() * (hi - lo));
    let ok = true;
    for (const o of offsets) if (!(await portFree(base + o))) { ok = false; break; }
    if (ok) return base;
  }
  throw new Error('no free ports for a cluster');
}

const live = new Set();
process.on('exit', () => {
  // Last resort if a suite dies without stop(): scripts/cluster down, synchronously.
  for (const dir of live) {
    try { execFileSync(SCRIPT, ['down', '--dir', dir]); } catch { /* best effort */ }
  }
});

const S3_BUCKET = 'parley'; // the bucket scripts/cluster creates

/**
 * startCluster({nodes, replicas, blobStore, serverArgs}) → {url, wsUrl, nodes: [{id, pid, rest, ws}],
 * haproxyPid, redisNodes, dir, s3, stop()}. blobStore 's3' (default): s3 = {pid, port, endpoint,
 * dir, bucket, objects(), size(key), uploads()} (what s3rver's bucket directory holds); 'local': s3 null.
 */
export async function startCluster({ nodes = 3, masters = 3, replicas = 0, blobStore = 's3', serverArgs = [] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  const nodeOffsets = [0, 1];
  for (let k = 1; k <= nodes; k += 1) nodeOffsets.push(10 + 2 * k, 11 + 2 * k);
  const base = await freeBase(20000, 30000, nodeOffsets);
  const redisOffsets = [];
  for (let i = 0; i < masters * (1 + replicas); i += 1) redisOffsets.push(i, 10000 + i);
  const redisBase = await freeBase(31000, 45000, redisOffsets);
  live.add(dir);
  let out;
  try {
    ({ stdout: out } = await run(SCRIPT, [
      'up', '--nodes', String(nodes), '--base-port', String(base), '--redis-base-port', String(redisBase),
      '--masters', String(masters), '--replicas', String(replicas), '--dir', dir, '--server', SERVER_BIN,
      '--blob-store', blobStore,
      '--', '--banned-words', BANNED_WORDS, '--log-level', 'warn', ...serverArgs,
    ], { timeout: 120000, env: { ...process.env, NODE: process.execPath } }));
  } catch (err) {
    await run(SCRIPT, ['down', '--dir', dir]).catch(() => {});
    live.delete(dir);
    throw new Error(`scripts/cluster up failed: ${err.message}\n${err.stdout || ''}\n${err.stderr || ''}`);
  }
  const val = (k) => (out.match(new RegExp(`^${k}=(.*)$`, 'm')) || [])[1];
  const list = [];
  for (let k = 1; k <= nodes; k += 1) {
    const [pid, rest, ws] = val(`NODE${k}`).split(',').map(Number);
    list.push({ id: `node${k}`, pid, rest, ws });
  }
  let s3 = null;
  if (blobStore === 's3') {
    if (!val('S3RVER')) {
      await run(SCRIPT, ['down', '--dir', dir]).catch(() => {});
      live.delete(dir);
      throw new Error(`scripts/cluster up printed no S3RVER line:\n${out}`);
    }
    const [pid, port] = val('S3RVER').split(',').map(Number);
    const s3Dir = path.join(dir, 's3');
    s3 = { pid, port, endpoint: val('S3_ENDPOINT'), dir: s3Dir, bucket: S3_BUCKET, ...bucketView(s3Dir, S3_BUCKET) };
  }
  return {
    s3,
    url: val('CLUSTER_URL'),
    wsUrl: `http://127.0.0.1:${base + 1}`,
    nodes: list,
    haproxyPid: Number(val('HAPROXY_PID')),
    redisNodes: val('REDIS_NODES'),
    dir,
    async stop() {
      await run(SCRIPT, ['down', '--dir', dir], { timeout: 60000 }).catch(() => {});
      live.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The node a connected client's Engine.IO session belongs to ("node2" from "node2-…"). */
export function nodeOf(client) {
  const sid = client.socket.io.engine.id;
  return sid.slice(0, sid.indexOf('-'));
}

/**
 * Connect through haproxy until the client lands on a node that `accept(node)` takes (haproxy
 * balances new sessions round-robin, so a few attempts do); other connections are closed.
 */
export async function connectOn(t, url, user, accept, opts = {}) {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const c = await connectClient(t, url, user, opts);
    if (accept(nodeOf(c))) return c;
    c.close();
  }
  throw new Error('could not land a client on the wanted node');
}
