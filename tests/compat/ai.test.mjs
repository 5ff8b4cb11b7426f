// Contract §3.7: AI replies to @mentions, streamed from an OpenAI-compatible endpoint. The
// endpoint is tests/lib/fake-openai.mjs on 127.0.0.1; its behaviour is picked per request by a
// tag in the question (see that file). Short timeouts come in through the server's flags.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, api, registerUser, createRoom, REPO_ROOT, HEX24,
} from '../lib/server.mjs';
import { startFakeOpenAI, OK_DELTAS } from '../lib/fake-openai.mjs';
import { connectClient, joinRoom, sendText, fetchPrevious, sleep, SETTLE_MS } from './sio-helpers.mjs';

const T = { timeout: 20000 };
const DEFAULT_ERROR = 'AI 응답 생성 중 오류가 발생했습니다.';
const NOT_CONFIGURED = 'AI 어시스턴트가 설정되지 않았습니다.';
const BUSY = 'AI 어시스턴트가 바쁩니다. 잠시 후 다시 시도해 주세요.';
const TIMEOUT = 'AI 응답 시간이 초과되었습니다.';
const TOO_LARGE = 'AI 응답이 너무 깁니다.';
const AI_EVENTS = ['aiMessageStart', 'aiMessageChunk', 'aiMessageComplete', 'aiMessageError'];

// The assistants file of the main server: custom prompts, and a third assistant.
const ASSISTANTS = {
  assistants: [
    { name: 'wayneAI', systemPrompt: '테스트 웨인 프롬프트', temperature: 0.4 },
    { name: 'consultingAI', systemPrompt: '테스트 컨설팅 프롬프트', temperature: 1.1 },
    { name: 'lawyerAI', description: 'added by configuration only', systemPrompt: '당신은 변호사입니다.', temperature: 0.2 },
  ],
};

function aiArgs(baseUrl, { totalTimeoutMs = 2000, extra = [] } = {}) {
  return [
    '--ai-base-url', baseUrl, '--ai-api-key', 'test-key', '--ai-model', 'fake-model',
    '--ai-connect-timeout-ms', '1000', '--ai-idle-timeout-ms', '400',
    '--ai-total-timeout-ms', String(totalTimeoutMs),
    '--ai-max-per-room', '2', '--ai-max-total', '3', '--ai-max-reply-bytes', '4096', ...extra,
  ];
}

/** n users; users[0] creates a room; all connect and socket-join. */
async function roomWith(t, srv, a, n) {
  const users = [];
  for (let i = 0; i < n; i += 1) users.push(await registerUser(a, { name: `AI 테스터 ${i + 1}` }));
  const room = await createRoom(a, users[0]);
  const clients = [];
  for (const u of users) {
    const c = await connectClient(t, srv.url, u, { label: u.name });
    clients.push(c);
    await joinRoom(c, room._id);
  }
  for (const c of clients) await c.waitFor('participantsUpdate', (p) => Array.isArray(p) && p.length === n);
  return { room, users, clients };
}

/** aiMessage* events about `messageId` after `after`, as {name, data}. */
function aiEventsOf(c, messageId, after = 0) {
  return c.events.slice(after)
    .filter((e) => AI_EVENTS.includes(e.name) && e.args[0]?.messageId === messageId)
    .map((e) => ({ name: e.name, data: e.args[0] }));
}

/** Wait for the first of several events matching pred. */
async function waitAny(c, names, pred, { after = 0, timeout = 8000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (let i = after; i < c.events.length; i += 1) {
      const e = c.events[i];
      if (names.includes(e.name) && pred(e.args[0])) return { name: e.name, data: e.args[0], index: i };
    }
    if (Date.now() > deadline) {
      throw new Error(`[${c.label}] none of ${names} within ${timeout} ms; saw ${JSON.stringify(c.events.slice(after).map((e) => e.name))}`);
    }
    await sleep(10);
  }
}

/** Send `content` and wait for the aiMessageStart of `aiType`; returns {echo, start, mark}. */
async function ask(c, roomId, content, aiType = 'wayneAI') {
  const mark = c.mark();
  const echo = await sendText(c, roomId, content);
  const start = await c.waitFor('aiMessageStart', (d) => d.aiType === aiType, { after: mark });
  return { echo, start: start.data, mark };
}

/** Wait for the end (Complete or Error) of a generation. */
const endOf = (c, messageId, after, timeout) => waitAny(c, ['aiMessageComplete', 'aiMessageError'], (d) => d?.messageId === messageId, { after, timeout });

async function aiHistory(c, roomId) {
  const hist = await fetchPrevious(c, { roomId, limit: 100 });
  return hist.messages.filter((m) => m.type === 'ai');
}

describe('AI streaming (§3.7) against an OpenAI-compatible endpoint', () => {
  let fake; let srv; let a; let dir;
  before(async () => {
    fake = await startFakeOpenAI();
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-ai-'));
    writeFileSync(path.join(dir, 'assistants.json'), JSON.stringify(ASSISTANTS));
    srv = await startServer({ args: aiArgs(fake.url, { extra: ['--ai-assistants', path.join(dir, 'assistants.json')] }) });
    a = api(srv);
  });
  after(async () => {
    try {
      await srv?.stop();
    } finally {
      await fake?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two clients see Start, a Chunk per non-blank delta, Complete; the reply is stored, not sent as message', T, async (t) => {
    const { room, clients } = await roomWith(t, srv, a, 2);
    const [ca, cb] = clients;
    const markB = cb.mark();
    const { echo, start, mark } = await ask(ca, room._id, '  @wayneAI 코드 예시를 보여줘  ');
    assert.equal(echo.type, 'text');
    assert.equal(echo.content, '@wayneAI 코드 예시를 보여줘');
    const end = await endOf(ca, start.messageId, mark);
    assert.equal(end.name, 'aiMessageComplete', JSON.stringify(end.data));
    await endOf(cb, start.messageId, markB);

    // aiMessageStart
    assert.deepEqual(Object.keys(start).sort(), ['aiType', 'messageId', 'timestamp']);
    assert.equal(start.aiType, 'wayneAI');
    assert.match(start.messageId, /^wayneAI-\d{13}$/);
    assert.equal(start.messageId, `wayneAI-${start.timestamp}`);
    assert.ok(start.timestamp >= echo.timestamp, 'the reply starts after the question');

    // chunks: blank deltas (' ', '') add to fullContent but send no chunk of their own
    const expected = [];
    let full = '';
    for (const d of OK_DELTAS) {
      full += d;
      if (d.trim() === '') continue;
      expected.push({ currentChunk: d, fullContent: full, isCodeBlock: (full.split('```').length - 1) % 2 === 1 });
    }
    assert.deepEqual(expected.map((e) => e.isCodeBlock), [false, true, true, true, false, false], 'test fixture');
    for (const c of clients) {
      const seq = aiEventsOf(c, start.messageId, c === ca ? mark : markB);
      assert.deepEqual(seq.map((e) => e.name),
        ['aiMessageStart', ...expected.map(() => 'aiMessageChunk'), 'aiMessageComplete'], `[${c.label}] event sequence`);
      const chunks = seq.filter((e) => e.name === 'aiMessageChunk').map((e) => e.data);
      chunks.forEach((ch, i) => {
        assert.deepEqual(Object.keys(ch).sort(),
          ['aiType', 'currentChunk', 'fullContent', 'isCodeBlock', 'isComplete', 'messageId', 'timestamp']);
        assert.equal(typeof ch.timestamp, 'number');
        const { timestamp, ...rest } = ch;
        assert.deepEqual(rest, { messageId: start.messageId, aiType: 'wayneAI', isComplete: false, ...expected[i] }, `chunk ${i}`);
      });
      const complete = seq.at(-1).data;
      assert.match(complete._id, HEX24);
      assert.deepEqual(complete, {
        _id: complete._id, content: full, aiType: 'wayneAI', timestamp: start.timestamp,
        messageId: start.messageId, isComplete: true, query: '코드 예시를 보여줘', reactions: {},
      });
      assert.equal(c.count('message', (m) => m.type === 'ai'), 0, 'the reply is not sent as `message`');
    }

    // stored: history shows it as an ai message without a sender
    const complete = aiEventsOf(ca, start.messageId, mark).at(-1).data;
    const hist = await fetchPrevious(cb, { roomId: room._id, limit: 50 });
    const last = hist.messages.at(-1);
    assert.equal(last._id, complete._id);
    assert.equal(last.type, 'ai');
    assert.equal(last.aiType, 'wayneAI');
    assert.equal(last.content, full);
    assert.equal(last.room, room._id);
    assert.equal('sender' in last, false);
    assert.equal('file' in last, false);
    assert.ok(last.timestamp >= start.timestamp);
    assert.deepEqual(Object.keys(last.metadata).sort(), ['generationTime', 'query']);
    assert.equal(last.metadata.query, '코드 예시를 보여줘');
    assert.ok(Number.isInteger(last.metadata.generationTime) && last.metadata.generationTime >= 0);
    assert.deepEqual(last.reactions, {});
    assert.equal(hist.messages.at(-2)._id, echo._id, 'the question comes just before the reply');

    // a later joiner gets it in joinRoomSuccess too
    const carol = await registerUser(a, { name: '캐럴' });
    const cc = await connectClient(t, srv.url, carol, { label: 'carol' });
    const joined = await joinRoom(cc, room._id);
    const seen = joined.data.messages.find((m) => m._id === complete._id);
    assert.ok(seen, 'joinRoomSuccess history includes the ai message');
    assert.equal(seen.type, 'ai');
    assert.equal('sender' in seen, false);
  });

  test('the endpoint gets model, persona, temperature, stream:true, the Bearer key and the room context', T, async (t) => {
    const { room, clients: [ca, cb] } = await roomWith(t, srv, a, 2);
    await sendText(ca, room._id, '첫 번째 맥락 메시지');
    await sendText(cb, room._id, 'second context line');
    const before = fake.requests.length;
    const first = await ask(ca, room._id, '@wayneAI 요약해 줘');
    assert.equal((await endOf(ca, first.start.messageId, first.mark)).name, 'aiMessageComplete');
    const req = fake.requests.slice(before).find((r) => r.body?.messages?.at(-1)?.content?.includes('요약해 줘'));
    assert.ok(req, 'the endpoint got the request');
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer test-key');
    assert.match(req.headers['content-type'], /^application\/json/);
    assert.equal(req.body.model, 'fake-model');
    assert.equal(req.body.stream, true);
    assert.equal(req.body.temperature, 0.4);
    assert.deepEqual(req.body.messages, [
      { role: 'system', content: '테스트 웨인 프롬프트' },
      { role: 'user', content: 'AI 테스터 1: 첫 번째 맥락 메시지' },
      { role: 'user', content: 'AI 테스터 2: second context line' },
      { role: 'user', content: 'AI 테스터 1: 요약해 줘' },
    ], 'system prompt, earlier messages oldest first (no system/join messages), then the question');

    // the next question sees the earlier reply as the assistant's own turn
    const second = await ask(cb, room._id, '@wayneAI 더 자세히');
    assert.equal((await endOf(cb, second.start.messageId, second.mark)).name, 'aiMessageComplete');
    const req2 = fake.requests.at(-1);
    assert.deepEqual(req2.body.messages.slice(1), [
      { role: 'user', content: 'AI 테스터 1: 첫 번째 맥락 메시지' },
      { role: 'user', content: 'AI 테스터 2: second context line' },
      { role: 'user', content: 'AI 테스터 1: @wayneAI 요약해 줘' },
      { role: 'assistant', content: OK_DELTAS.join('') },
      { role: 'user', content: 'AI 테스터 2: 더 자세히' },
    ]);
  });

  test('a third assistant comes from the assistants file alone; one message may mention several', T, async (t) => {
    const { room, clients: [ca] } = await roomWith(t, srv, a, 1);
    const before = fake.requests.length;
    const mark = ca.mark();
    await sendText(ca, room._id, '@lawyerAI @consultingAI 계약서 검토');
    const law = await ca.waitFor('aiMessageStart', (d) => d.aiType === 'lawyerAI', { after: mark });
    const con = await ca.waitFor('aiMessageStart', (d) => d.aiType === 'consultingAI', { after: mark });
    assert.ok(law.index < con.index, 'assistants start in mention order');
    const lawEnd = await endOf(ca, law.data.messageId, mark);
    const conEnd = await endOf(ca, con.data.messageId, mark);
    assert.equal(lawEnd.name, 'aiMessageComplete');
    assert.equal(conEnd.name, 'aiMessageComplete');
    assert.equal(lawEnd.data.aiType, 'lawyerAI');
    assert.equal(lawEnd.data.query, '@consultingAI 계약서 검토', 'only the own mention is removed');
    assert.equal(conEnd.data.query, '@lawyerAI  계약서 검토', 'Java replaceAll + trim keeps inner spaces');
    const reqs = fake.requests.slice(before);
    const lawReq = reqs.find((r) => r.body.messages[0].content === '당신은 변호사입니다.');
    const conReq = reqs.find((r) => r.body.messages[0].content === '테스트 컨설팅 프롬프트');
    assert.ok(lawReq && conReq, 'each assistant sent its own persona');
    assert.equal(lawReq.body.temperature, 0.2);
    assert.equal(conReq.body.temperature, 1.1);
    const stored = await aiHistory(ca, room._id);
    assert.deepEqual(stored.map((m) => m.aiType).sort(), ['consultingAI', 'lawyerAI']);
  });

  // [tag, client text, what, chunks before the failure, the server's log line for it]
  for (const [tag, error, what, sawChunk, logged] of [
    ['status-500', DEFAULT_ERROR, 'HTTP 500', false, /http \(HTTP 500: .*fake 500/],
    ['status-401', DEFAULT_ERROR, 'HTTP 401', false, /http \(HTTP 401: .*fake 401/],
    ['malformed', DEFAULT_ERROR, 'a data line that is not JSON', true, /malformed \(data is not JSON/],
    ['error-event', DEFAULT_ERROR, 'an error event in the stream', true, /http \(error event: .*overloaded/],
    ['drop', DEFAULT_ERROR, 'the connection dropped before [DONE]', true, /dropped \(/],
    ['empty', DEFAULT_ERROR, 'a reply without content', false, /empty \(/],
    ['stall', TIMEOUT, 'no bytes for longer than the idle timeout', true, /timeout \(no data for 400 ms\)/],
    ['slow', TIMEOUT, 'keep-alives past the total timeout', false, /timeout \(Timeout was reached/],
    ['big', TOO_LARGE, 'a reply over the size cap', true, /too_large \(reply over 4096 bytes\)/],
  ]) {
    test(`${what} → aiMessageError "${error}", nothing stored`, T, async (t) => {
      const { room, clients: [ca, cb] } = await roomWith(t, srv, a, 2);
      const markB = cb.mark();
      const { start, mark } = await ask(ca, room._id, `@wayneAI [${tag}] 질문`);
      const end = await endOf(ca, start.messageId, mark);
      assert.equal(end.name, 'aiMessageError', JSON.stringify(end.data));
      assert.deepEqual(end.data, { messageId: start.messageId, error, aiType: 'wayneAI' });
      await endOf(cb, start.messageId, markB);
      await sleep(SETTLE_MS);
      for (const [c, m] of [[ca, mark], [cb, markB]]) {
        const seq = aiEventsOf(c, start.messageId, m).map((e) => e.name);
        assert.equal(seq[0], 'aiMessageStart');
        assert.equal(seq.at(-1), 'aiMessageError');
        assert.equal(seq.filter((n) => n === 'aiMessageError').length, 1, 'one error');
        assert.equal(seq.includes('aiMessageComplete'), false);
        assert.equal(seq.includes('aiMessageChunk'), sawChunk, `chunks before the failure: ${seq}`);
      }
      assert.deepEqual(await aiHistory(ca, room._id), [], 'no (half-)stored message');
      const line = srv.logs().stdout.split('\n').find((l) => l.includes(`ai ${start.messageId} in room`));
      assert.match(line ?? '', logged, 'the failure is logged with its cause');
      if (tag === 'big') {
        const chunks = ca.all('aiMessageChunk', (d) => d.messageId === start.messageId, mark);
        assert.ok(chunks.every((ch) => Buffer.byteLength(ch.data.fullContent) <= 4096), 'no chunk beyond the cap');
      }
    });
  }

  test('concurrency caps: 2 per room, 3 in total, then a busy error', T, async (t) => {
    const { room: r1, clients: [c1] } = await roomWith(t, srv, a, 1);
    const { room: r2, clients: [c2] } = await roomWith(t, srv, a, 1);
    const heldBefore = fake.heldCount;
    assert.equal(heldBefore, 0);
    const h1 = await ask(c1, r1._id, '@wayneAI [hold] 하나');
    const h2 = await ask(c1, r1._id, '@consultingAI [hold] 둘', 'consultingAI');
    await fake.waitHeld(2);
    // the room is full
    const busy = await ask(c1, r1._id, '@wayneAI [hold] 셋');
    const busyEnd = await endOf(c1, busy.start.messageId, busy.mark);
    assert.deepEqual(busyEnd.data, { messageId: busy.start.messageId, error: BUSY, aiType: 'wayneAI' });
    // another room still has a place, until the total cap is reached
    const h3 = await ask(c2, r2._id, '@wayneAI [hold] 넷');
    await fake.waitHeld(3);
    const busyTotal = await ask(c2, r2._id, '@wayneAI [hold] 다섯');
    const busyTotalEnd = await endOf(c2, busyTotal.start.messageId, busyTotal.mark);
    assert.deepEqual(busyTotalEnd.data, { messageId: busyTotal.start.messageId, error: BUSY, aiType: 'wayneAI' });
    assert.equal(fake.heldCount, 3, 'refused questions never reach the endpoint');

    fake.releaseAll();
    for (const [c, h] of [[c1, h1], [c1, h2], [c2, h3]]) {
      const end = await endOf(c, h.start.messageId, h.mark);
      assert.equal(end.name, 'aiMessageComplete', JSON.stringify(end.data));
      assert.equal(end.data.content, '첫 조각끝');
    }
    // places are given back
    const again = await ask(c1, r1._id, '@wayneAI 다시');
    assert.equal((await endOf(c1, again.start.messageId, again.mark)).name, 'aiMessageComplete');
  });
});

describe('AI with the built-in assistants', () => {
  let fake; let srv; let a;
  before(async () => {
    fake = await startFakeOpenAI();
    srv = await startServer({ args: aiArgs(fake.url, { totalTimeoutMs: 60000 }) });
    a = api(srv);
  });
  after(async () => {
    try {
      await srv?.stop();
    } finally {
      await fake?.close();
    }
  });

  test('without --ai-assistants the personas of config/assistants.json are used; other names are no mentions', T, async (t) => {
    const file = JSON.parse(readFileSync(path.join(REPO_ROOT, 'config', 'assistants.json'), 'utf8'));
    const { room, clients: [ca] } = await roomWith(t, srv, a, 1);
    for (const ai of ['wayneAI', 'consultingAI']) {
      const before = fake.requests.length;
      const q = await ask(ca, room._id, `@${ai} 안녕`, ai);
      assert.equal((await endOf(ca, q.start.messageId, q.mark)).name, 'aiMessageComplete');
      const persona = file.assistants.find((x) => x.name === ai);
      const req = fake.requests.slice(before)[0];
      assert.equal(req.body.messages[0].content, persona.systemPrompt);
      assert.equal(req.body.temperature, persona.temperature);
    }
    const mark = ca.mark();
    await sendText(ca, room._id, '@lawyerAI 안녕');
    await sleep(SETTLE_MS);
    assert.equal(ca.count('aiMessageStart', () => true, mark), 0);
  });

  test('SIGTERM with a stream in flight: the stream is cancelled and the server exits promptly', T, async (t) => {
    const { room, clients: [ca] } = await roomWith(t, srv, a, 1);
    await ask(ca, room._id, '@wayneAI [hold] 오래 걸리는 질문');
    await fake.waitHeld(1);
    const held = fake.requests.at(-1);
    const t0 = Date.now();
    await srv.stop();  // asserts exit code 0 within 10 s
    assert.ok(Date.now() - t0 < 5000, `exited in ${Date.now() - t0} ms`);
    let timer;
    await Promise.race([held.closed, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('the endpoint connection stayed open')), 2000); })]);
    clearTimeout(timer);
    srv = null;
  });
});

describe('AI without an endpoint, or with an unreachable one', () => {
  test('not configured: aiMessageStart, then aiMessageError; nothing stored', T, async (t) => {
    const srv = await startServer();
    t.after(() => srv.stop());
    const a = api(srv);
    const { room, clients: [ca] } = await roomWith(t, srv, a, 1);
    const { start, mark } = await ask(ca, room._id, '@consultingAI 시장 분석', 'consultingAI');
    assert.match(start.messageId, /^consultingAI-\d+$/);
    const end = await endOf(ca, start.messageId, mark);
    assert.deepEqual(end.data, { messageId: start.messageId, error: NOT_CONFIGURED, aiType: 'consultingAI' });
    await sleep(SETTLE_MS);
    assert.deepEqual(aiEventsOf(ca, start.messageId, mark).map((e) => e.name), ['aiMessageStart', 'aiMessageError']);
    assert.deepEqual(await aiHistory(ca, room._id), []);
  });

  test('connection refused: the default error', T, async (t) => {
    const closedPort = await new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    });
    const srv = await startServer({ args: aiArgs(`http://127.0.0.1:${closedPort}/v1`) });
    t.after(() => srv.stop());
    const a = api(srv);
    const { room, clients: [ca] } = await roomWith(t, srv, a, 1);
    const { start, mark } = await ask(ca, room._id, '@wayneAI 안녕');
    const end = await endOf(ca, start.messageId, mark);
    assert.deepEqual(end.data, { messageId: start.messageId, error: DEFAULT_ERROR, aiType: 'wayneAI' });
    assert.deepEqual(await aiHistory(ca, room._id), []);
  });

  test('a broken assistants file stops the server at start', T, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-ai-bad-'));
    try {
      const file = path.join(dir, 'assistants.json');
      writeFileSync(file, JSON.stringify({ assistants: [{ name: 'bad name', systemPrompt: 'x' }] }));
      await assert.rejects(startServer({ args: ['--ai-assistants', file] }), /exited \(code=1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
