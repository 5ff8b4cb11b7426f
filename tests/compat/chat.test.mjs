// Contract §3.3–§3.6: joinRoom, chatMessage, fetchPreviousMessages, markMessagesAsRead,
// messageReaction, leaveRoom, roomCreated / roomUpdated, with the real socket.io-client.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, createRoom, summary, assertRoom,
} from '../lib/server.mjs';
import {
  connectClient, joinRoom, sendText, fetchPrevious, assertMessage, joinedText, leftText, containsBanned,
  sleep, SETTLE_MS,
} from './sio-helpers.mjs';

const T = { timeout: 30000 };
const NO_ACCESS = { code: 'MESSAGE_ERROR', message: '채팅방 접근 권한이 없습니다.' };
const REJECTED = { code: 'MESSAGE_REJECTED', message: '금칙어가 포함된 메시지는 전송할 수 없습니다.' };

/** Room as sent over the socket must equal the REST Room (isCreator is optional and per-viewer). */
function sameRoom(actual, expected) {
  const strip = ({ isCreator, ...rest }) => rest;
  assertRoom(actual, strip(expected));
}

describe('Socket.IO chat', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  /** n registered users; users[0] creates a room; all connect and socket-join in order. */
  async function roomWith(t, n, { names = [], roomName } = {}) {
    const users = [];
    for (let i = 0; i < n; i += 1) users.push(await registerUser(a, names[i] ? { name: names[i] } : {}));
    const room = await createRoom(a, users[0], roomName ? { name: roomName } : {});
    const clients = [];
    for (const u of users) {
      const c = await connectClient(t, srv.url, u, { label: u.name });
      clients.push(c);
      const j = await joinRoom(c, room._id);
      // wait until this join's participantsUpdate has reached the joiner, so later marks are clean
      await c.waitFor('participantsUpdate', (p) => Array.isArray(p) && p.some((x) => x._id === u.id), { after: j.mark });
    }
    // every member has seen the final participant list, so all join broadcasts are in
    for (const c of clients) await c.waitFor('participantsUpdate', (p) => Array.isArray(p) && p.length === n);
    return { room, users, clients };
  }

  describe('joinRoom', () => {
    test('creator joins: joinRoomSuccess, then system message, then participantsUpdate', T, async (t) => {
      const alice = await registerUser(a, { name: '앨리스' });
      const room = await createRoom(a, alice, { name: 'Join Order Room' });
      const c = await connectClient(t, srv.url, alice);
      const m = c.mark();
      c.emit('joinRoom', room._id);
      const ok = await c.waitFor('joinRoomSuccess', () => true, { after: m });
      const sys = await c.waitFor('message', (x) => x.type === 'system', { after: m });
      const pu = await c.waitFor('participantsUpdate', () => true, { after: m });
      assert.ok(ok.index < sys.index && sys.index < pu.index, 'order: joinRoomSuccess < message < participantsUpdate');

      assert.deepEqual(Object.keys(ok.data).sort(), ['activeStreams', 'hasMore', 'messages', 'participants', 'roomId']);
      assert.equal(ok.data.roomId, room._id);
      assert.deepEqual(ok.data.participants, [summary(alice)]);
      assert.deepEqual(ok.data.activeStreams, []);
      assert.equal(ok.data.hasMore, false);
      assert.equal(ok.data.messages.length, 1);
      assert.equal(ok.data.messages[0].content, joinedText('앨리스'));
      assert.equal(ok.data.messages[0].type, 'system');
      assert.equal('sender' in ok.data.messages[0], false);

      assertMessage(sys.data, { room: room._id, content: '앨리스님이 입장하였습니다.', type: 'system' });
      assert.equal(sys.data._id, ok.data.messages[0]._id, 'the broadcast system message is the stored one');
      assert.deepEqual(pu.data, [summary(alice)]);
    });

    test('second user joins (no REST join first): everyone gets the system message and the new participant list', T, async (t) => {
      const alice = await registerUser(a, { name: 'Alice Kim' });
      const bob = await registerUser(a, { name: '밥 박' });
      const room = await createRoom(a, alice);
      const ca = await connectClient(t, srv.url, alice);
      await joinRoom(ca, room._id);
      await ca.waitFor('participantsUpdate');
      const cb = await connectClient(t, srv.url, bob);

      const ma = ca.mark();
      const mb = cb.mark();
      cb.emit('joinRoom', room._id);
      const ok = await cb.waitFor('joinRoomSuccess', () => true, { after: mb });
      const sysB = await cb.waitFor('message', () => true, { after: mb });
      const puB = await cb.waitFor('participantsUpdate', () => true, { after: mb });
      assert.ok(ok.index < sysB.index && sysB.index < puB.index, 'joiner order: joinRoomSuccess < message < participantsUpdate');
      const sysA = await ca.waitFor('message', () => true, { after: ma });
      const puA = await ca.waitFor('participantsUpdate', () => true, { after: ma });
      assert.ok(sysA.index < puA.index, 'member order: message < participantsUpdate');

      const both = [summary(alice), summary(bob)];
      assert.deepEqual(ok.data.participants, both);
      assert.deepEqual(ok.data.messages.map((x) => x.content), [joinedText('Alice Kim'), joinedText('밥 박')]);
      assert.equal(ok.data.hasMore, false);
      assertMessage(sysA.data, { room: room._id, content: '밥 박님이 입장하였습니다.', type: 'system' });
      assert.deepEqual(sysA.data, sysB.data);
      assert.deepEqual(puA.data, both);
      assert.deepEqual(puB.data, both);

      await sleep(SETTLE_MS);
      assert.equal(ca.count('message', () => true, ma), 1, 'exactly one system message');
      // the socket join added bob to the DB participants
      const g = await a.get(`/api/rooms/${room._id}`, { token: alice.token });
      assert.deepEqual(g.body.data.participants, both);
      assert.equal(g.body.data.participantsCount, 2);
    });

    test('joining again while present → joinRoomSuccess {roomId} only, no new system message', T, async (t) => {
      const { room, clients: [ca, cb] } = await roomWith(t, 2);
      const ma = ca.mark();
      const mb = cb.mark();
      const ok = await ca.request('joinRoom', room._id, 'joinRoomSuccess');
      assert.deepEqual(ok.data, { roomId: room._id });
      await sleep(SETTLE_MS);
      assert.equal(ca.count('message', () => true, ma), 0);
      assert.equal(cb.count('message', () => true, mb), 0);
      assert.equal(cb.count('participantsUpdate', () => true, mb), 0);
    });

    test('(rec) joinRoom also accepts {roomId}', T, async (t) => {
      const alice = await registerUser(a);
      const room = await createRoom(a, alice);
      const c = await connectClient(t, srv.url, alice);
      const ok = await c.request('joinRoom', { roomId: room._id }, 'joinRoomSuccess');
      assert.equal(ok.data.roomId, room._id);
      assert.deepEqual(ok.data.participants, [summary(alice)]);
    });

    test('unknown or malformed room id → joinRoomError 채팅방을 찾을 수 없습니다.', T, async (t) => {
      const u = await registerUser(a);
      const c = await connectClient(t, srv.url, u);
      for (const id of ['0123456789abcdef01234567', 'not-a-room-id']) {
        const e = await c.request('joinRoom', id, 'joinRoomError');
        assert.deepEqual(e.data, { message: '채팅방을 찾을 수 없습니다.' });
      }
      assert.equal(c.count('joinRoomSuccess'), 0);
    });
  });

  describe('chatMessage', () => {
    test('a message reaches every member exactly once (sender included) with the Message shape', T, async (t) => {
      const { room, users, clients } = await roomWith(t, 3, { names: ['보내는 사람', 'Bob', 'Carol'] });
      const outsider = await registerUser(a);
      const co = await connectClient(t, srv.url, outsider, { label: 'outsider' });
      const marks = clients.map((c) => c.mark());
      const mo = co.mark();
      const before = Date.now();
      clients[0].emit('chatMessage', { room: room._id, type: 'text', content: '  안녕하세요, hello there  ' });
      const got = [];
      for (let i = 0; i < 3; i += 1) got.push((await clients[i].waitFor('message', () => true, { after: marks[i] })).data);
      await sleep(SETTLE_MS);
      for (let i = 0; i < 3; i += 1) assert.equal(clients[i].count('message', () => true, marks[i]), 1, `client ${i} got it exactly once`);
      assert.equal(co.count('message', () => true, mo), 0, 'non-members get nothing');

      const m = got[0];
      assertMessage(m, { room: room._id, content: '안녕하세요, hello there', type: 'text', sender: summary(users[0]), readers: [] });
      assert.deepEqual(m.reactions, {});
      assert.ok(m.timestamp >= before - 1000 && m.timestamp <= Date.now() + 1000, 'timestamp is now');
      assert.deepEqual(Object.keys(m).sort(), ['_id', 'content', 'metadata', 'reactions', 'readers', 'room', 'sender', 'timestamp', 'type']);
      assert.deepEqual(got[1], m);
      assert.deepEqual(got[2], m);
    });

    test('every member sends: all members see all messages exactly once', T, async (t) => {
      const { room, clients } = await roomWith(t, 3);
      const marks = clients.map((c) => c.mark());
      const texts = ['first from zero', 'second from one', 'third from two'];
      clients.forEach((c, i) => c.emit('chatMessage', { room: room._id, type: 'text', content: texts[i] }));
      for (let i = 0; i < 3; i += 1) await clients[i].waitForN('message', 3, () => true, { after: marks[i] });
      await sleep(SETTLE_MS);
      const ids = new Set();
      for (let i = 0; i < 3; i += 1) {
        const msgs = clients[i].all('message', () => true, marks[i]).map((x) => x.data);
        assert.deepEqual(msgs.map((x) => x.content).sort(), [...texts].sort(), `client ${i}`);
        msgs.forEach((x) => ids.add(x._id));
      }
      assert.equal(ids.size, 3, 'three distinct message ids');
    });

    test('type defaults to text; msg is used when content is blank', T, async (t) => {
      const { room, users, clients: [c] } = await roomWith(t, 1);
      let m = c.mark();
      c.emit('chatMessage', { room: room._id, content: 'no type given' });
      let got = await c.waitFor('message', () => true, { after: m });
      assertMessage(got.data, { room: room._id, content: 'no type given', type: 'text', sender: summary(users[0]) });
      m = c.mark();
      c.emit('chatMessage', { room: room._id, type: 'text', content: '   ', msg: 'from the msg field' });
      got = await c.waitFor('message', () => true, { after: m });
      assert.equal(got.data.content, 'from the msg field');
    });

    test('empty or whitespace-only text is silently ignored', T, async (t) => {
      const { room, clients: [c, c2] } = await roomWith(t, 2);
      const m = c.mark();
      const m2 = c2.mark();
      c.emit('chatMessage', { room: room._id, type: 'text', content: '' });
      c.emit('chatMessage', { room: room._id, type: 'text', content: '   \n\t ' });
      await sleep(SETTLE_MS * 2);
      assert.equal(c.count('message', () => true, m), 0);
      assert.equal(c2.count('message', () => true, m2), 0);
      assert.equal(c.count('error', () => true, m), 0);
    });

    test('errors: null payload, blank room, unsupported type, file without fileData, unknown file', T, async (t) => {
      const { room, clients: [c] } = await roomWith(t, 1);
      const cases = [
        [null, { code: 'MESSAGE_ERROR', message: '메시지 데이터가 없습니다.' }],
        [{ room: '', type: 'text', content: 'hi' }, { code: 'MESSAGE_ERROR', message: '채팅방 정보가 없습니다.' }],
        [{ type: 'text', content: 'hi' }, { code: 'MESSAGE_ERROR', message: '채팅방 정보가 없습니다.' }],
        [{ room: room._id, type: 'video', content: 'hi' }, { code: 'MESSAGE_ERROR', message: 'Unsupported message type: video' }],
        [{ room: room._id, type: 'file', content: '' }, { code: 'MESSAGE_ERROR', message: '파일 데이터가 올바르지 않습니다.' }],
        [{ room: room._id, type: 'file', content: '', fileData: { filename: 'x.png' } }, { code: 'MESSAGE_ERROR', message: '파일 데이터가 올바르지 않습니다.' }],
        [{ room: room._id, type: 'file', content: '', fileData: { _id: '0123456789abcdef01234567', filename: '1_abc.png', originalname: 'x.png', mimetype: 'image/png', size: 3 } },
          { code: 'MESSAGE_ERROR', message: '파일을 찾을 수 없거나 접근 권한이 없습니다.' }],
      ];
      for (const [payload, expected] of cases) {
        const m = c.mark();
        c.emit('chatMessage', payload);
        const e = await c.waitFor('error', () => true, { after: m });
        assert.deepEqual(e.data, expected, `payload ${JSON.stringify(payload)}`);
      }
      await sleep(SETTLE_MS);
      assert.equal(c.count('message', (x) => x.type !== 'system'), 0, 'nothing was broadcast');
    });

    test('not a participant → error 채팅방 접근 권한이 없습니다.; nothing broadcast', T, async (t) => {
      const { room, clients: [member] } = await roomWith(t, 1);
      const outsider = await registerUser(a);
      const co = await connectClient(t, srv.url, outsider, { label: 'outsider' });
      const mm = member.mark();
      for (const roomId of [room._id, '0123456789abcdef01234567']) {
        const m = co.mark();
        co.emit('chatMessage', { room: roomId, type: 'text', content: 'let me in' });
        const e = await co.waitFor('error', () => true, { after: m });
        assert.deepEqual(e.data, NO_ACCESS);
      }
      await sleep(SETTLE_MS);
      assert.equal(member.count('message', () => true, mm), 0);
    });

    test('banned words → MESSAGE_REJECTED to the sender only, and nothing is stored', T, async (t) => {
      const { room, clients: [c, other] } = await roomWith(t, 2);
      const bad = [
        'b3sig78jv', 'hello 9c0hej6x there', 'LBL276SZ in caps', 'xxp4e84yy (inside a word)', '  hy8m  ', '이건 ikqy2y 한글과 함께',
      ];
      const mo = other.mark();
      for (const content of bad) {
        assert.ok(containsBanned(content), `fixture sanity: ${content}`);
        const m = c.mark();
        c.emit('chatMessage', { room: room._id, type: 'text', content });
        const e = await c.waitFor('error', () => true, { after: m });
        assert.deepEqual(e.data, REJECTED, content);
      }
      await sleep(SETTLE_MS);
      assert.equal(c.count('message', (x) => x.type === 'text'), 0, 'no echo');
      assert.equal(other.count('message', () => true, mo), 0, 'nothing broadcast');
      const clean = await sendText(c, room._id, 'a clean message afterwards');
      const hist = await fetchPrevious(c, { roomId: room._id, limit: 50 });
      const contents = hist.messages.map((x) => x.content);
      for (const content of bad) assert.ok(!contents.includes(content.trim()), `"${content}" must not be stored`);
      assert.equal(hist.messages.filter((x) => x.type === 'text').length, 1);
      assert.equal(hist.messages.at(-1)._id, clean._id);
    });

    test('recentMessageCount on REST counts the stored messages', T, async (t) => {
      const { room, users, clients: [c] } = await roomWith(t, 2);
      await sendText(c, room._id, 'count me one');
      await sendText(c, room._id, 'count me two');
      const g = await a.get(`/api/rooms/${room._id}`, { token: users[1].token });
      assert.equal(g.body.data.recentMessageCount, 4, '2 join system messages + 2 texts');
    });
  });

  describe('fetchPreviousMessages', () => {
    test('paging 61 messages with limit 30 and before until hasMore is false', { timeout: 60000 }, async (t) => {
      const { room, users, clients: [c] } = await roomWith(t, 1, { names: ['Pager'] });
      const texts = Array.from({ length: 61 }, (_, i) => `paged message ${String(i + 1).padStart(2, '0')}`);
      const m = c.mark();
      for (const text of texts) c.emit('chatMessage', { room: room._id, type: 'text', content: text });
      const echoes = await c.waitForN('message', 61, () => true, { after: m, timeout: 20000 });
      assert.deepEqual(echoes.map((e) => e.data.content), texts, 'echoed in send order');

      const pages = [];
      let before;
      for (let guard = 0; guard < 10; guard += 1) {
        const payload = before === undefined ? { roomId: room._id, limit: 30 } : { roomId: room._id, limit: 30, before };
        const page = await fetchPrevious(c, payload);
        assert.deepEqual(Object.keys(page).filter((k) => k !== 'oldestTimestamp').sort(), ['hasMore', 'messages']);
        pages.push(page);
        if (!page.hasMore) break;
        assert.ok(page.messages.length > 0, 'a page with hasMore has messages');
        before = page.messages[0].timestamp;
      }
      assert.deepEqual(pages.map((p) => p.messages.length), [30, 30, 2]);
      assert.deepEqual(pages.map((p) => p.hasMore), [true, true, false]);
      for (const p of pages) {
        for (let i = 1; i < p.messages.length; i += 1) {
          assert.ok(p.messages[i - 1].timestamp <= p.messages[i].timestamp, 'each page ascending');
        }
      }
      const all = pages.reverse().flatMap((p) => p.messages);
      const ids = all.map((x) => x._id);
      assert.equal(new Set(ids).size, 62, 'every message exactly once');
      for (let i = 1; i < all.length; i += 1) assert.ok(all[i - 1].timestamp <= all[i].timestamp, 'ascending overall');
      assert.deepEqual(all.map((x) => x.content), [joinedText('Pager'), ...texts]);
      assert.deepEqual(all.slice(1).map((x) => x._id), echoes.map((e) => e.data._id));
      for (const msg of all.slice(1)) {
        assert.equal(msg.type, 'text');
        assert.equal(msg.room, room._id);
        assert.deepEqual(msg.sender, summary(users[0]));
        assert.equal(typeof msg.timestamp, 'number');
        assert.ok(Array.isArray(msg.readers));
        assert.deepEqual(msg.reactions, {});
        assert.deepEqual(msg.metadata, {});
      }
      assert.equal(all[0].type, 'system');
      assert.equal('sender' in all[0], false);
    });

    test('joinRoomSuccess carries the newest 30 messages and hasMore for a later joiner', T, async (t) => {
      const { room, clients: [c] } = await roomWith(t, 1);
      const texts = Array.from({ length: 35 }, (_, i) => `history line ${i + 1}`);
      const m = c.mark();
      for (const text of texts) c.emit('chatMessage', { room: room._id, type: 'text', content: text });
      await c.waitForN('message', 35, () => true, { after: m, timeout: 15000 });
      const late = await registerUser(a, { name: 'Latecomer' });
      const cl = await connectClient(t, srv.url, late);
      const ok = await joinRoom(cl, room._id);
      assert.equal(ok.data.hasMore, true);
      assert.equal(ok.data.messages.length, 30);
      assert.deepEqual(ok.data.messages.map((x) => x.content), [...texts.slice(-29), joinedText('Latecomer')]);
    });

    test('defaults: no limit → 30; ISO-string and numeric-string before are accepted', T, async (t) => {
      const { room, clients: [c] } = await roomWith(t, 1);
      const m = c.mark();
      for (let i = 0; i < 32; i += 1) c.emit('chatMessage', { room: room._id, type: 'text', content: `default limit ${i}` });
      const echoes = await c.waitForN('message', 32, () => true, { after: m, timeout: 15000 });
      const p = await fetchPrevious(c, { roomId: room._id });
      assert.equal(p.messages.length, 30);
      assert.equal(p.hasMore, true);
      const cut = echoes[10].data.timestamp;
      const full = await fetchPrevious(c, { roomId: room._id, limit: 100 });
      assert.equal(full.messages.length, 33, '32 texts + the join system message');
      const expected = full.messages.filter((x) => x.timestamp < cut).length;
      assert.ok(expected >= 1);
      const pNum = await fetchPrevious(c, { roomId: room._id, limit: 50, before: String(cut) });
      assert.equal(pNum.messages.length, expected);
      const pIso = await fetchPrevious(c, { roomId: room._id, limit: 50, before: new Date(cut).toISOString() });
      assert.equal(pIso.messages.length, expected);
      assert.equal(pIso.hasMore, false);
    });

    test('not a participant → error {code:"LOAD_ERROR"}', T, async (t) => {
      const { room } = await roomWith(t, 1);
      const outsider = await registerUser(a);
      const co = await connectClient(t, srv.url, outsider, { label: 'outsider' });
      const m = co.mark();
      co.emit('fetchPreviousMessages', { roomId: room._id, limit: 30 });
      const e = await co.waitFor('error', () => true, { after: m });
      assert.deepEqual(e.data, { code: 'LOAD_ERROR', message: '채팅방 접근 권한이 없습니다.' });
      await sleep(SETTLE_MS);
      assert.equal(co.count('previousMessagesLoaded'), 0);
    });
  });

  describe('markMessagesAsRead', () => {
    test('a burst of marks: every id reaches the room once, in order, and is stored before its messagesRead', T, async (t) => {
      const { room, users: [, bob], clients: [ca, cb] } = await roomWith(t, 2);
      const sent = [];
      for (let i = 0; i < 6; i += 1) sent.push(await sendText(ca, room._id, `burst ${i}`));
      const ids = sent.map((x) => x._id);
      await cb.waitFor('message', (x) => x._id === ids[5]);
      const ma = ca.mark();
      // One mark per message in one tick (the load test's form): the server may merge marks
      // that queue up into fewer messagesRead events, but may not drop or repeat an id.
      for (const id of ids) cb.emit('markMessagesAsRead', { roomId: room._id, messageIds: [id] });
      const count = () => ca.all('messagesRead', (d) => d.userId === bob.id, ma)
        .reduce((n, e) => n + e.data.messageIds.length, 0);
      await ca.waitFor('messagesRead', (d) => d.userId === bob.id, { after: ma });
      for (let waited = 0; count() < ids.length && waited < 10000; waited += 50) await sleep(50);
      await sleep(SETTLE_MS);
      const events = ca.all('messagesRead', (d) => d.userId === bob.id, ma);
      const got = events.flatMap((e) => e.data.messageIds);
      assert.deepEqual(got, ids, `ids over ${events.length} messagesRead events`);
      assert.ok(events.length >= 1 && events.length <= ids.length);
      // Readers are stored by the time messagesRead went out; alice's fetch lists bob on each.
      const hist = await fetchPrevious(ca, { roomId: room._id, limit: 30 });
      for (const id of ids) {
        const stored = hist.messages.find((x) => x._id === id);
        assert.equal(stored.readers.filter((r) => r.userId === bob.id).length, 1, id);
      }
    });

    test('messagesRead {userId, messageIds} reaches both members; readers are stored once per user', T, async (t) => {
      const { room, users: [alice, bob], clients: [ca, cb] } = await roomWith(t, 2);
      const msg = await sendText(ca, room._id, 'please read this');
      await cb.waitFor('message', (x) => x._id === msg._id);

      let ma = ca.mark(); let mb = cb.mark();
      cb.emit('markMessagesAsRead', { messageIds: [msg._id] });
      let ra = await ca.waitFor('messagesRead', () => true, { after: ma });
      let rb = await cb.waitFor('messagesRead', () => true, { after: mb });
      assert.deepEqual(ra.data, { userId: bob.id, messageIds: [msg._id] });
      assert.deepEqual(rb.data, { userId: bob.id, messageIds: [msg._id] });

      // load-test form with roomId; own messages can be marked too
      ma = ca.mark(); mb = cb.mark();
      ca.emit('markMessagesAsRead', { roomId: room._id, messageIds: [msg._id] });
      ra = await ca.waitFor('messagesRead', () => true, { after: ma });
      rb = await cb.waitFor('messagesRead', () => true, { after: mb });
      assert.deepEqual(ra.data, { userId: alice.id, messageIds: [msg._id] });
      assert.deepEqual(rb.data, { userId: alice.id, messageIds: [msg._id] });

      // marking again still broadcasts, but readers stay unique
      mb = cb.mark();
      cb.emit('markMessagesAsRead', { messageIds: [msg._id] });
      await cb.waitFor('messagesRead', (d) => d.userId === bob.id, { after: mb });

      const hist = await fetchPrevious(cb, { roomId: room._id, limit: 30 });
      const stored = hist.messages.find((x) => x._id === msg._id);
      const bobs = stored.readers.filter((r) => r.userId === bob.id);
      assert.equal(bobs.length, 1, `one reader entry for bob: ${JSON.stringify(stored.readers)}`);
      assert.ok('readAt' in bobs[0]);
      assert.equal(stored.readers.filter((r) => r.userId === alice.id).length, 1);
    });

    test('several ids at once are echoed as received; an empty list is ignored', T, async (t) => {
      const { room, users: [, bob], clients: [ca, cb] } = await roomWith(t, 2);
      const m1 = await sendText(ca, room._id, 'read one');
      const m2 = await sendText(ca, room._id, 'read two');
      const ma = ca.mark();
      cb.emit('markMessagesAsRead', { messageIds: [m2._id, m1._id] });
      const r = await ca.waitFor('messagesRead', () => true, { after: ma });
      assert.deepEqual(r.data, { userId: bob.id, messageIds: [m2._id, m1._id] });
      const me = ca.mark();
      cb.emit('markMessagesAsRead', { messageIds: [] });
      await sleep(SETTLE_MS);
      assert.equal(ca.count('messagesRead', () => true, me), 0);
      assert.equal(cb.count('error'), 0);
    });
  });

  describe('messageReaction', () => {
    test('add / remove broadcast messageReactionUpdate; empty keys are dropped; emoji alias', T, async (t) => {
      const { room, users: [alice, bob], clients: [ca, cb] } = await roomWith(t, 2);
      const msg = await sendText(ca, room._id, 'react to me');
      const step = async (client, payload, expected) => {
        const ma = ca.mark(); const mb = cb.mark();
        client.emit('messageReaction', payload);
        const ua = await ca.waitFor('messageReactionUpdate', () => true, { after: ma });
        const ub = await cb.waitFor('messageReactionUpdate', () => true, { after: mb });
        assert.deepEqual(ua.data, { messageId: msg._id, reactions: expected }, JSON.stringify(payload));
        assert.deepEqual(ub.data, ua.data);
      };
      await step(cb, { messageId: msg._id, reaction: '👍', type: 'add' }, { '👍': [bob.id] });
      await step(ca, { messageId: msg._id, reaction: '👍', type: 'add' }, { '👍': [bob.id, alice.id] });
      await step(ca, { messageId: msg._id, reaction: '👍', type: 'add' }, { '👍': [bob.id, alice.id] });
      await step(ca, { messageId: msg._id, emoji: '🎉', type: 'add' }, { '👍': [bob.id, alice.id], '🎉': [alice.id] });
      await step(cb, { messageId: msg._id, reaction: '👍', type: 'remove' }, { '👍': [alice.id], '🎉': [alice.id] });
      await step(ca, { messageId: msg._id, reaction: '👍', type: 'remove' }, { '🎉': [alice.id] });
      await step(ca, { messageId: msg._id, emoji: '🎉', type: 'remove' }, {});

      await step(cb, { messageId: msg._id, reaction: '❤️', type: 'add' }, { '❤️': [bob.id] });
      const hist = await fetchPrevious(ca, { roomId: room._id, limit: 30 });
      assert.deepEqual(hist.messages.find((x) => x._id === msg._id).reactions, { '❤️': [bob.id] });
    });

    test('errors (no code): unknown message, unsupported type', T, async (t) => {
      const { room, clients: [c] } = await roomWith(t, 1);
      const msg = await sendText(c, room._id, 'target');
      let m = c.mark();
      c.emit('messageReaction', { messageId: '0123456789abcdef01234567', reaction: '👍', type: 'add' });
      let e = await c.waitFor('error', () => true, { after: m });
      assert.deepEqual(e.data, { message: '메시지를 찾을 수 없습니다.' });
      m = c.mark();
      c.emit('messageReaction', { messageId: msg._id, reaction: '👍', type: 'toggle' });
      e = await c.waitFor('error', () => true, { after: m });
      assert.deepEqual(e.data, { message: '지원하지 않는 리액션 타입입니다.' });
      await sleep(SETTLE_MS);
      assert.equal(c.count('messageReactionUpdate'), 0);
    });
  });

  describe('leaveRoom and disconnect', () => {
    test('leaveRoom → system 퇴장 message, participantsUpdate, userLeft (in order) to the others', T, async (t) => {
      const { room, users: [alice, bob, carol], clients: [ca, cb, cc] } = await roomWith(t, 3, { names: ['Alice L', '떠나는 밥', 'Carol L'] });
      const ma = ca.mark(); const mc = cc.mark(); const mb = cb.mark();
      cb.emit('leaveRoom', room._id);
      for (const [c, m] of [[ca, ma], [cc, mc]]) {
        const sys = await c.waitFor('message', () => true, { after: m });
        const pu = await c.waitFor('participantsUpdate', () => true, { after: m });
        const ul = await c.waitFor('userLeft', () => true, { after: m });
        assert.ok(sys.index < pu.index && pu.index < ul.index, 'order: message < participantsUpdate < userLeft');
        assertMessage(sys.data, { room: room._id, content: '떠나는 밥님이 퇴장하였습니다.', type: 'system' });
        assert.deepEqual(pu.data, [summary(alice), summary(carol)]);
        assert.equal(ul.data.userId, bob.id);
        assert.equal(ul.data.userName, '떠나는 밥');
        if ('name' in ul.data) assert.equal(ul.data.name, '떠나는 밥');
      }
      // bob no longer receives room traffic and is no longer a DB participant
      await sendText(ca, room._id, 'after bob left');
      await cc.waitFor('message', (x) => x.content === 'after bob left');
      await sleep(SETTLE_MS);
      assert.equal(cb.count('message', (x) => x.content === 'after bob left', mb), 0);
      const g = await a.get(`/api/rooms/${room._id}`, { token: alice.token });
      assert.deepEqual(g.body.data.participants, [summary(alice), summary(carol)]);
      const me = cb.mark();
      cb.emit('chatMessage', { room: room._id, type: 'text', content: 'can I still talk' });
      const e = await cb.waitFor('error', () => true, { after: me });
      assert.deepEqual(e.data, NO_ACCESS);
      // leaving a room one is not in is ignored
      const mi = cb.mark();
      cb.emit('leaveRoom', room._id);
      await sleep(SETTLE_MS);
      assert.equal(cb.count('error', () => true, mi), 0);
      assert.equal(ca.count('userLeft', () => true, ma), 1);
    });

    test('disconnect counts as leaving', T, async (t) => {
      const { room, users: [alice, bob], clients: [ca, cb] } = await roomWith(t, 2, { names: ['Stayer', 'Disconnector'] });
      const ma = ca.mark();
      cb.close();
      const sys = await ca.waitFor('message', () => true, { after: ma });
      const pu = await ca.waitFor('participantsUpdate', () => true, { after: ma });
      const ul = await ca.waitFor('userLeft', () => true, { after: ma });
      assert.ok(sys.index < pu.index && pu.index < ul.index);
      assert.equal(sys.data.content, leftText('Disconnector'));
      assert.deepEqual(pu.data, [summary(alice)]);
      assert.equal(ul.data.userId, bob.id);
    });
  });

  describe('roomCreated / roomUpdated', () => {
    test('POST /api/rooms → roomCreated (Room) to every connected socket', T, async (t) => {
      const { clients: [inRoom] } = await roomWith(t, 1);
      const idle = await connectClient(t, srv.url, await registerUser(a), { label: 'idle' });
      const creator = await registerUser(a);
      const cc = await connectClient(t, srv.url, creator, { label: 'creator', transports: ['polling'] });
      const marks = [inRoom, idle, cc].map((c) => c.mark());
      const r = await a.post('/api/rooms', { name: 'Broadcast Me' }, { token: creator.token });
      assert.equal(r.status, 201);
      for (const [i, c] of [inRoom, idle, cc].entries()) {
        const ev = await c.waitFor('roomCreated', (x) => x._id === r.body.data._id, { after: marks[i] });
        sameRoom(ev.data, r.body.data);
      }
    });

    test('joinRoomList is a no-op that causes no error', T, async (t) => {
      const u = await registerUser(a);
      const c = await connectClient(t, srv.url, u);
      c.emit('joinRoomList');
      const m = c.mark();
      const r = await a.post('/api/rooms', { name: 'After JoinRoomList' }, { token: u.token });
      const ev = await c.waitFor('roomCreated', (x) => x._id === r.body.data._id, { after: m });
      assert.equal(ev.data.name, 'After JoinRoomList');
      await sleep(SETTLE_MS);
      assert.equal(c.count('roomCreated', (x) => x._id === r.body.data._id), 1, 'exactly once');
    });

    test('REST join → roomUpdated (Room) to the room\'s sockets only', T, async (t) => {
      const { room, clients: [member] } = await roomWith(t, 1);
      const outsider = await connectClient(t, srv.url, await registerUser(a), { label: 'outsider' });
      const joiner = await registerUser(a);
      const mm = member.mark(); const mo = outsider.mark();
      const r = await a.post(`/api/rooms/${room._id}/join`, {}, { token: joiner.token });
      assert.equal(r.status, 200);
      const ev = await member.waitFor('roomUpdated', () => true, { after: mm });
      sameRoom(ev.data, r.body.data);
      assert.equal(ev.data.participantsCount, 2);
      assert.deepEqual(ev.data.participants.at(-1), summary(joiner));
      await sleep(SETTLE_MS);
      assert.equal(outsider.count('roomUpdated', () => true, mo), 0);
    });
  });
});
