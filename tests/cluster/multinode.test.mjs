// Several parley-server nodes behind haproxy act as one service (docs/CLUSTER.md): users on
// different nodes chat, clients of every transport share a room across nodes, a login on one node
// ends the session's sockets on another, a file uploaded through one node downloads through
// another (the nodes share one s3rver bucket, no upload directory). Real redis-server (cluster
// mode), real haproxy, real s3rver, real socket.io-client; clients go through haproxy (or a
// node's own port) and the tests assert which node they are on.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { api, registerUser, createRoom, login } from '../lib/server.mjs';
import { connectClient, joinRoom, sendText, joinedText, leftText, sleep, SETTLE_MS } from '../compat/sio-helpers.mjs';
import { startCluster, nodeOf, connectOn } from './cluster.mjs';

describe('multi-node cluster behind haproxy', () => {
  let cl; let a;
  before(async () => { cl = await startCluster({ nodes: 3, serverArgs: ['--redis-wait-replicas', '0', '--chat-rate-limit', '5'] }); a = api(cl.url); });
  after(async () => { await cl?.stop(); });

  test('health through haproxy names the node and the cluster', async () => {
    const seen = new Set();
    for (let i = 0; i < 6; i += 1) {
      const r = await a.get('/api/health');
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'ok');
      assert.deepEqual(r.body.cluster, { connected: true });
      seen.add(r.body.node);
    }
    assert.equal(seen.size, 3, `REST is balanced over the nodes (saw ${[...seen]})`);
  });

  test('two users on different nodes chat in one room', { timeout: 30000 }, async (t) => {
    const u1 = await registerUser(a, { name: '노드하나' });
    const u2 = await registerUser(a, { name: '노드둘' });
    const room = await createRoom(a, u1, { name: 'Cross Node Room' });
    const c1 = await connectClient(t, cl.url, u1, { label: 'u1' });
    const c2 = await connectOn(t, cl.url, u2, (n) => n !== nodeOf(c1), { label: 'u2' });
    assert.notEqual(nodeOf(c1), nodeOf(c2), 'the two users are on different nodes');

    await joinRoom(c1, room._id);
    const m1 = c1.mark();
    await joinRoom(c2, room._id);
    // u2's join announcement (stored and published on u2's node) reaches u1's node
    await c1.waitFor('message', (m) => m.type === 'system' && m.content === joinedText(u2.name), { after: m1 });
    await c1.waitFor('participantsUpdate', (p) => Array.isArray(p) && p.length === 2, { after: m1 });

    const mark2 = c2.mark();
    const sent1 = await sendText(c1, room._id, 'hello from the first node');
    const got2 = await c2.waitFor('message', (m) => m._id === sent1._id, { after: mark2 });
    assert.equal(got2.data.content, 'hello from the first node');
    const mark1 = c1.mark();
    const sent2 = await sendText(c2, room._id, 'and back from the second');
    await c1.waitFor('message', (m) => m._id === sent2._id, { after: mark1 });
    await sleep(SETTLE_MS);
    // exactly once each (a node skips its own publishes coming back from Redis)
    assert.equal(c1.count('message', (m) => m._id === sent1._id), 1);
    assert.equal(c2.count('message', (m) => m._id === sent1._id), 1);
    assert.equal(c1.count('message', (m) => m._id === sent2._id), 1);
    assert.equal(c2.count('message', (m) => m._id === sent2._id), 1);
  });

  test('polling-only, websocket-only and upgrading clients on three nodes share a room', { timeout: 40000 }, async (t) => {
    const owner = await registerUser(a);
    const room = await createRoom(a, owner, { name: 'Transport Mix Room' });
    const kinds = [
      { label: 'polling', opts: { transports: ['polling'], upgrade: false } },
      { label: 'websocket', opts: { transports: ['websocket'] } },
      { label: 'upgrading', opts: { transports: ['polling', 'websocket'] } },
    ];
    const used = new Set();
    const clients = [];
    for (const k of kinds) {
      const u = await registerUser(a);
      const c = await connectOn(t, cl.url, u, (n) => !used.has(n), { label: k.label, ...k.opts });
      used.add(nodeOf(c));
      clients.push(c);
    }
    assert.equal(used.size, 3, 'one client per node');
    for (const c of clients) await joinRoom(c, room._id);
    // the upgrading client did upgrade (through haproxy, on its node)
    const up = clients[2];
    for (let i = 0; i < 50 && up.socket.io.engine.transport.name !== 'websocket'; i += 1) await sleep(100);
    assert.equal(up.socket.io.engine.transport.name, 'websocket', 'upgraded to websocket');
    assert.equal(clients[0].socket.io.engine.transport.name, 'polling');

    const marks = clients.map((c) => c.mark());
    const sent = [];
    for (const c of clients) sent.push(await sendText(c, room._id, `from the ${c.label} client`));
    for (const [i, c] of clients.entries()) {
      for (const s of sent) await c.waitFor('message', (m) => m._id === s._id, { after: marks[i] });
    }
    await sleep(SETTLE_MS);
    for (const c of clients) {
      for (const s of sent) assert.equal(c.count('message', (m) => m._id === s._id), 1, `${c.label} got ${s.content} once`);
    }
  });

  test('a login on one node ends the session\'s sockets on another (duplicate_login, then session_ended)', { timeout: 40000 }, async (t) => {
    const u = await registerUser(a, { name: '두번로그인' });
    const old = await connectClient(t, cl.url, u, { label: 'old' });
    const l2 = await login(a, u.email, u.password);
    const mNew = old.mark();
    const connectedAt = Date.now();
    const fresh = await connectOn(t, cl.url, null, (n) => n !== nodeOf(old),
      { label: 'new', auth: { token: l2.token, sessionId: l2.sessionId } });
    assert.notEqual(nodeOf(old), nodeOf(fresh), 'old and new sockets are on different nodes');
    const dup = await old.waitFor('duplicate_login', () => true, { after: mNew });
    assert.equal(dup.data.type, 'new_login_attempt');
    const ended = await old.waitFor('session_ended', () => true, { after: mNew, timeout: 20000 });
    assert.deepEqual(ended.data, { reason: 'duplicate_login', message: '다른 기기에서 로그인하여 현재 세션이 종료되었습니다.' });
    assert.ok(Date.now() - connectedAt >= 8500, 'session_ended after the grace period');
    assert.equal(fresh.count('duplicate_login'), 0, 'the new socket is not notified');
    assert.equal(fresh.count('session_ended'), 0, 'the new socket keeps its session');
  });

  test('presence across nodes: one join and one leave message for a user on two nodes', { timeout: 30000 }, async (t) => {
    const owner = await registerUser(a);
    const u = await registerUser(a, { name: '두노드사용자' });
    const room = await createRoom(a, owner, { name: 'Presence Room' });
    const watcher = await connectClient(t, cl.url, owner, { label: 'watcher' });
    await joinRoom(watcher, room._id);
    const m0 = watcher.mark();
    const s1 = await connectClient(t, cl.url, u, { label: 's1' });
    const s2 = await connectOn(t, cl.url, u, (n) => n !== nodeOf(s1), { label: 's2' });
    assert.notEqual(nodeOf(s1), nodeOf(s2), 'the user\'s two sockets are on different nodes');
    await Promise.all([joinRoom(s1, room._id), joinRoom(s2, room._id)]);
    await watcher.waitFor('message', (m) => m.type === 'system' && m.content === joinedText(u.name), { after: m0 });
    await sleep(SETTLE_MS * 2);
    assert.equal(watcher.count('message', (m) => m.type === 'system' && m.content === joinedText(u.name), m0), 1, 'one join message');
    s1.close();
    await sleep(SETTLE_MS * 2);
    assert.equal(watcher.count('message', (m) => m.type === 'system' && m.content === leftText(u.name), m0), 0, 'still present through the other node');
    s2.close();
    await watcher.waitFor('message', (m) => m.type === 'system' && m.content === leftText(u.name), { after: m0 });
    await sleep(SETTLE_MS * 2);
    assert.equal(watcher.count('message', (m) => m.type === 'system' && m.content === leftText(u.name), m0), 1, 'one leave message');
  });

  test('the chat rate limit counts a user\'s messages on every node together', { timeout: 30000 }, async (t) => {
    const owner = await registerUser(a);
    const u = await registerUser(a);
    const room = await createRoom(a, owner, { name: 'Rate Limit Room' });
    const s1 = await connectClient(t, cl.url, u, { label: 'r1' });
    const s2 = await connectOn(t, cl.url, u, (n) => n !== nodeOf(s1), { label: 'r2' });
    await joinRoom(s1, room._id);
    await joinRoom(s2, room._id);
    for (let i = 0; i < 3; i += 1) await sendText(s1, room._id, `limited one ${i}`);
    for (let i = 0; i < 2; i += 1) await sendText(s2, room._id, `limited two ${i}`);
    // 5 of 5 used across the two nodes: the next one, on either node, is refused
    const m = s1.mark();
    s1.emit('chatMessage', { room: room._id, type: 'text', content: 'one too many' });
    const err = await s1.waitFor('error', () => true, { after: m });
    assert.equal(err.data.code, 'RATE_LIMIT_EXCEEDED');
    assert.ok(err.data.retryAfter >= 1);
  });

  test('a file uploaded through one node downloads through another, from the shared s3rver bucket', { timeout: 30000 }, async (t) => {
    assert.ok(cl.s3, 'the cluster runs on --blob-store s3');
    const [nodeA, nodeB] = cl.nodes;
    const direct = (n) => `http://127.0.0.1:${n.rest}`;
    const u = await registerUser(a);
    const outsider = await registerUser(a);
    const room = await createRoom(a, u, { name: 'S3 Files Room' });

    // upload on node A's own port
    const bytes = randomBytes(300 * 1024);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'cluster report.pdf');
    const up = await fetch(`${direct(nodeA)}/api/files/upload`,
      { method: 'POST', headers: { 'x-auth-token': u.token, 'x-session-id': u.sessionId }, body: form, signal: AbortSignal.timeout(20000) });
    const upBody = await up.json();
    assert.equal(up.status, 200, JSON.stringify(upBody));
    const f = upBody.file;
    assert.equal(f.size, bytes.length);

    // the object is in s3rver's bucket, and no node's upload directory (nor any shared one) holds it
    assert.deepEqual(cl.s3.objects().filter((k) => k === f.filename), [f.filename]);
    assert.equal(cl.s3.size(f.filename), bytes.length);
    const stray = [];
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (p === cl.s3.dir) continue;
        if (e.isDirectory()) walk(p);
        else if (e.name.includes(path.parse(f.filename).name)) stray.push(p);
      }
    };
    walk(cl.dir);
    assert.deepEqual(stray, [], 'the file is nowhere outside the bucket');
    assert.equal(existsSync(path.join(cl.dir, 'uploads')), false, 'no shared upload directory');

    // link it to the room with a file message, on node A (the download rule needs one)
    const c = await connectClient(t, direct(nodeA), u, { label: 'uploader', transports: ['websocket'] });
    assert.equal(nodeOf(c), nodeA.id);
    await joinRoom(c, room._id);
    const m = c.mark();
    c.emit('chatMessage', { room: room._id, type: 'file', content: '', fileData: { _id: f._id } });
    await c.waitFor('message', (msg) => msg.type === 'file' && msg.file?._id === f._id, { after: m });

    // download on node B's own port: the same bytes
    const health = await api(direct(nodeB)).get('/api/health');
    assert.equal(health.body.node, nodeB.id);
    const down = await fetch(`${direct(nodeB)}/api/files/download/${f.filename}`,
      { headers: { 'x-auth-token': u.token, 'x-session-id': u.sessionId }, signal: AbortSignal.timeout(20000) });
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-length'), String(bytes.length));
    assert.ok(Buffer.from(await down.arrayBuffer()).equals(bytes), 'node B serves the bytes node A stored');
    // a ranged read through node B too, and the access rule still holds there
    const part = await fetch(`${direct(nodeB)}/api/files/download/${f.filename}?token=${u.token}`,
      { headers: { range: 'bytes=1000-1999' }, signal: AbortSignal.timeout(20000) });
    assert.equal(part.status, 206);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
    const denied = await fetch(`${direct(nodeB)}/api/files/download/${f.filename}`,
      { headers: { 'x-auth-token': outsider.token, 'x-session-id': outsider.sessionId }, signal: AbortSignal.timeout(20000) });
    assert.equal(denied.status, 403);
  });

  test('logout on one node reaches the user\'s socket on another', { timeout: 20000 }, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, cl.url, u, { label: 'sock' });
    // send the logout to a node other than the socket's: REST is balanced, so try until it is
    let r;
    for (let i = 0; i < 6; i += 1) {
      const h = await a.get('/api/health');
      if (h.body.node !== nodeOf(c)) {
        r = await a.post('/api/auth/logout', undefined, { token: u.token, sessionId: u.sessionId });
        break;
      }
    }
    assert.ok(r, 'reached another node');
    assert.equal(r.status, 200);
    const ended = await c.waitFor('session_ended', () => true);
    assert.deepEqual(ended.data, { reason: 'logout', message: '로그아웃되었습니다.' });
  });
});
