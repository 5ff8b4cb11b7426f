// Durability of the Socket.IO write paths: messages, read receipts and reactions broadcast
// (= acknowledged) just before kill -9 are all there after a restart.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, registerUser, createRoom, summary } from '../lib/server.mjs';
import { connectClient, joinRoom, sendText, fetchPrevious, joinedText } from './sio-helpers.mjs';

const T = { timeout: 40000 };

describe('socket writes survive kill -9', () => {
  let srv; let a;
  before(async () => { srv = await startServer(); a = api(srv); });
  after(async () => { await srv?.stop(); });

  test('messages, readers and reactions are durable; sessions still valid after restart', T, async (t) => {
    const alice = await registerUser(a, { name: 'Durable Alice' });
    const bob = await registerUser(a, { name: '내구성 밥' });
    const room = await createRoom(a, alice, { name: 'Durable Room' });
    const ca = await connectClient(t, srv.url, alice, { label: 'alice' });
    const cb = await connectClient(t, srv.url, bob, { label: 'bob' });
    await joinRoom(ca, room._id);
    await joinRoom(cb, room._id);
    await ca.waitFor('participantsUpdate', (p) => p.length === 2);

    const sent = [];
    for (const text of ['durable one', 'durable two', '내구성 셋']) sent.push(await sendText(ca, room._id, text));
    const mr = ca.mark();
    cb.emit('markMessagesAsRead', { messageIds: sent.map((m) => m._id) });
    await ca.waitFor('messagesRead', (d) => d.userId === bob.id, { after: mr });
    const mx = ca.mark();
    cb.emit('messageReaction', { messageId: sent[1]._id, reaction: '👍', type: 'add' });
    await ca.waitFor('messageReactionUpdate', (d) => d.messageId === sent[1]._id, { after: mx });
    const last = await sendText(cb, room._id, 'the last acknowledged write');

    // crash with the sockets still open (a clean disconnect would run leave semantics first)
    await srv.kill9();
    await srv.restart();

    const c2 = await connectClient(t, srv.url, alice, { label: 'alice-after-restart' });
    await joinRoom(c2, room._id);
    const hist = await fetchPrevious(c2, { roomId: room._id, limit: 50 });
    const texts = hist.messages.filter((m) => m.type === 'text');
    assert.deepEqual(texts.map((m) => m._id), [...sent.map((m) => m._id), last._id]);
    assert.deepEqual(texts.map((m) => m.content), ['durable one', 'durable two', '내구성 셋', 'the last acknowledged write']);
    for (const [i, m] of sent.entries()) {
      assert.equal(m.timestamp, texts[i].timestamp, 'timestamp preserved');
      assert.deepEqual(texts[i].sender, summary(alice));
      assert.ok(texts[i].readers.some((r) => r.userId === bob.id), `bob is a reader of message ${i}`);
    }
    assert.deepEqual(texts[1].reactions, { '👍': [bob.id] });
    assert.deepEqual(texts[3].sender, summary(bob));
    const systems = hist.messages.filter((m) => m.type === 'system').map((m) => m.content);
    assert.deepEqual(systems.slice(0, 2), [joinedText('Durable Alice'), joinedText('내구성 밥')]);
    // the DB participants survived too
    const g = await a.get(`/api/rooms/${room._id}`, { token: bob.token });
    assert.equal(g.status, 200);
    assert.ok(g.body.data.participants.some((p) => p._id === bob.id));
  });
});
