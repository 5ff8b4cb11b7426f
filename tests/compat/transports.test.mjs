// Contract §3.1: Engine.IO v4 / Socket.IO v5 transports (polling, websocket, upgrade), handshake,
// CORS on polling, large frames, heartbeats.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, registerUser, createRoom, summary } from '../lib/server.mjs';
import { connectClient, joinRoom, sendText, sleep, SETTLE_MS } from './sio-helpers.mjs';

const T = { timeout: 30000 };
const ORIGIN = 'http://localhost:3000';

async function waitTransport(c, name, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (c.socket.io.engine?.transport?.name === name) return true;
    await sleep(25);
  }
  return c.socket.io.engine?.transport?.name === name;
}

describe('transports', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('Engine.IO v4 polling handshake: open packet, upgrades, ping settings, maxPayload, CORS', T, async () => {
    const r = await a.get('/socket.io/', { query: { EIO: 4, transport: 'polling' }, headers: { Origin: ORIGIN } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(typeof r.text, 'string');
    assert.equal(r.text[0], '0', `open packet: ${r.text.slice(0, 80)}`);
    const open = JSON.parse(r.text.slice(1));
    assert.equal(typeof open.sid, 'string');
    assert.ok(open.sid.length > 0);
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, 25000);
    assert.equal(open.pingTimeout, 60000);
    assert.equal(open.maxPayload, 1000000);
  });

  test('a polling-only, a websocket-only and an upgrading client chat in one room', T, async (t) => {
    const names = ['Polling Only', 'WebSocket Only', '업그레이드'];
    const users = [];
    for (const name of names) users.push(await registerUser(a, { name }));
    const room = await createRoom(a, users[0], { name: 'Transport Mix' });
    const cp = await connectClient(t, srv.url, users[0], { transports: ['polling'], label: 'polling' });
    const cw = await connectClient(t, srv.url, users[1], { transports: ['websocket'], label: 'websocket' });
    const cu = await connectClient(t, srv.url, users[2], { transports: ['polling', 'websocket'], label: 'upgrading' });
    const clients = [cp, cw, cu];
    for (const [i, c] of clients.entries()) {
      await joinRoom(c, room._id);
      await c.waitFor('participantsUpdate', (p) => p.some((x) => x._id === users[i].id));
    }
    for (const c of clients) await c.waitFor('participantsUpdate', (p) => p.length === 3);
    assert.ok(await waitTransport(cu, 'websocket'), 'the default client upgrades to websocket');

    const marks = clients.map((c) => c.mark());
    const texts = ['over long-polling', 'over websocket', 'over upgraded websocket'];
    for (const [i, c] of clients.entries()) await sendText(c, room._id, texts[i]);
    for (const [i, c] of clients.entries()) {
      const got = await c.waitForN('message', 3, () => true, { after: marks[i] });
      assert.deepEqual(got.map((g) => g.data.content).sort(), [...texts].sort(), `${c.label} sees all three`);
      for (const g of got) {
        const senderIdx = texts.indexOf(g.data.content);
        assert.deepEqual(g.data.sender, summary(users[senderIdx]));
      }
    }
    await sleep(SETTLE_MS);
    for (const [i, c] of clients.entries()) assert.equal(c.count('message', () => true, marks[i]), 3, `${c.label}: exactly once each`);
    assert.equal(cp.socket.io.engine.transport.name, 'polling');
    assert.equal(cw.socket.io.engine.transport.name, 'websocket');
  });

  test('the default client (no transports option) connects and upgrades', T, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u, { transports: undefined, label: 'default' });
    assert.ok(await waitTransport(c, 'websocket'));
    const room = await createRoom(a, u);
    await joinRoom(c, room._id);
    const m = await sendText(c, room._id, 'default client message');
    assert.equal(m.content, 'default client message');
  });

  test('large frames (~600 KB text message) are accepted over websocket and polling', T, async (t) => {
    const u1 = await registerUser(a);
    const u2 = await registerUser(a);
    const room = await createRoom(a, u1);
    const cw = await connectClient(t, srv.url, u1, { transports: ['websocket'], label: 'ws-big' });
    const cp = await connectClient(t, srv.url, u2, { transports: ['polling'], label: 'poll-big' });
    await joinRoom(cw, room._id);
    await joinRoom(cp, room._id);
    await cw.waitFor('participantsUpdate', (p) => p.length === 2);
    const big = '안녕 세상 '.repeat(40000); // 14 bytes × 40000 ≈ 560 KB of UTF-8
    const mp = cp.mark();
    const echo = await sendText(cw, room._id, big, { timeout: 15000 });
    assert.equal(echo.content, big.trim());
    const got = await cp.waitFor('message', (x) => x._id === echo._id, { after: mp, timeout: 15000 });
    assert.equal(got.data.content.length, big.trim().length);
    const back = await sendText(cp, room._id, `${big}!`, { timeout: 15000 });
    assert.equal(back.content, `${big}!`);
  });

  test('client "ping" events (frontend heartbeat) and joinRoomList are harmless', T, async (t) => {
    const u = await registerUser(a);
    const c = await connectClient(t, srv.url, u);
    c.emit('ping', null);
    c.socket.emit('ping', null, () => {}); // with an ack id, as the frontend does
    c.emit('joinRoomList');
    await sleep(SETTLE_MS);
    assert.equal(c.connected, true);
    assert.equal(c.count('error'), 0);
    const room = await createRoom(a, u);
    await joinRoom(c, room._id);
    await sendText(c, room._id, 'still fine after ping');
  });
});

describe('heartbeats (--ping-interval-ms 200 --ping-timeout-ms 400)', () => {
  let srv; let a;
  before(async () => {
    srv = await startServer({ args: ['--ping-interval-ms', '200', '--ping-timeout-ms', '400'] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  test('the open packet advertises the configured ping settings', T, async () => {
    const r = await a.get('/socket.io/', { query: { EIO: 4, transport: 'polling' } });
    assert.equal(r.status, 200, `handshake status (body ${r.text.slice(0, 120)})`);
    assert.equal(r.text[0], '0', `open packet: ${r.text.slice(0, 80)}`);
    const open = JSON.parse(r.text.slice(1));
    assert.equal(open.pingInterval, 200);
    assert.equal(open.pingTimeout, 400);
  });

  test('websocket, polling and upgraded clients stay connected for 2 s (10× pingInterval)', T, async (t) => {
    const users = [await registerUser(a), await registerUser(a), await registerUser(a)];
    const room = await createRoom(a, users[0]);
    const clients = [
      await connectClient(t, srv.url, users[0], { transports: ['websocket'], label: 'ws' }),
      await connectClient(t, srv.url, users[1], { transports: ['polling'], label: 'polling' }),
      await connectClient(t, srv.url, users[2], { transports: ['polling', 'websocket'], label: 'upgrading' }),
    ];
    for (const c of clients) {
      const eng = c.socket.io.engine; // engine.io-client 6.6 keeps the handshake values in _pingInterval/_pingTimeout
      assert.equal(eng._pingInterval ?? eng.pingInterval, 200);
      assert.equal(eng._pingTimeout ?? eng.pingTimeout, 400);
      await joinRoom(c, room._id);
    }
    let pings = 0;
    clients[0].socket.io.engine.on('ping', () => { pings += 1; });
    await sleep(2000);
    for (const c of clients) {
      assert.equal(c.connected, true, `${c.label} still connected`);
      assert.deepEqual(c.disconnects, [], `${c.label} never disconnected`);
    }
    assert.ok(pings >= 5, `server pinged the websocket client (${pings} pings in 2 s)`);
    // and they still chat
    const m = clients[1].mark();
    await sendText(clients[0], room._id, 'alive after heartbeats');
    await clients[1].waitFor('message', (x) => x.content === 'alive after heartbeats', { after: m });
  });
});
