// A fake OpenAI-compatible chat-completions server for the AI tests (node built-ins only, bound to
// 127.0.0.1). POST /v1/chat/completions answers with a server-sent-event stream. What it does is
// chosen by a tag in the last message's content, e.g. "@wayneAI [drop] 질문":
//   (no tag) ok      the reply of OK_DELTAS, one SSE event each, with keep-alives, CRLF lines and
//                    a role-only first chunk, then [DONE]
//   [status-500]     HTTP 500 with a JSON error body        [status-401]  HTTP 401
//   [malformed]      one good chunk, then a data line that is not JSON
//   [error-event]    one good chunk, then data: {"error":{...}}
//   [drop]           one good chunk, then the connection is destroyed (no [DONE])
//   [stall]          one good chunk, then silence with the connection open (idle timeout)
//   [slow]           a keep-alive comment every 100 ms forever (total timeout)
//   [hold]           one good chunk, then keep-alives until release(); then "끝" and [DONE]
//   [big]            1 KiB chunks forever (reply size cap)
//   [empty]          only [DONE]
// Every request is recorded: {method, url, headers, body (parsed JSON), closed (promise)}.
import http from 'node:http';

export const OK_DELTAS = ['안녕하세요', ' ', '```', 'js\nconsole.log(1)\n', '``', '`', '', ' 끝'];
const FIRST = '첫 조각';

const chunk = (content) => `data: ${JSON.stringify({
  id: 'chatcmpl-fake', object: 'chat.completion.chunk', model: 'fake',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
})}\n\n`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAI() {
  const requests = [];
  const held = new Set();  // resolve functions of [hold] streams
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    for await (const part of req) raw += part;
    let body = null;
    try { body = JSON.parse(raw); } catch { /* recorded as null */ }
    let onClose;
    const closed = new Promise((r) => { onClose = r; });
    res.on('close', () => onClose());
    const record = { method: req.method, url: req.url, headers: req.headers, body, closed };
    requests.push(record);

    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const messages = Array.isArray(body?.messages) ? body.messages : [];
    const last = String(messages.at(-1)?.content ?? '');
    const mode = /\[([a-z0-9-]+)\]/.exec(last)?.[1] ?? 'ok';
    record.mode = mode;
    const gone = () => res.destroyed || res.writableEnded;

    if (mode.startsWith('status-')) {
      const status = Number(mode.slice(7));
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake ${status}`, type: 'fake_error' } }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    switch (mode) {
      case 'ok': {
        res.write(': keep-alive\n\n');
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}\r\n\r\n`);
        for (const d of OK_DELTAS) {
          await sleep(15);
          if (gone()) return;
          res.write(chunk(d));
        }
        await sleep(15);
        res.end('data: [DONE]\n\n');
        return;
      }
      case 'malformed':
        res.write(chunk(FIRST));
        await sleep(30);
        res.end('data: {"choices": [ this is not json\n\n');
        return;
      case 'error-event':
        res.write(chunk(FIRST));
        await sleep(30);
        res.end(`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`);
        return;
      case 'drop':
        res.write(chunk(FIRST));
        await sleep(30);
        res.socket?.destroy();
        return;
      case 'stall':
        res.write(chunk(FIRST));
        return;  // the connection stays open until the client gives up
      case 'slow':
        while (!gone()) {
          res.write(': still thinking\n\n');
          await sleep(100);
        }
        return;
      case 'hold': {
        res.write(chunk(FIRST));
        let release;
        const released = new Promise((r) => { release = r; });
        held.add(release);
        const ticker = setInterval(() => { if (!gone()) res.write(': keep-alive\n\n'); }, 100);
        await Promise.race([released, closed]);
        clearInterval(ticker);
        held.delete(release);
        if (gone()) return;
        res.write(chunk('끝'));
        res.end('data: [DONE]\n\n');
        return;
      }
      case 'big': {
        const piece = 'x'.repeat(1024);
        while (!gone()) {
          res.write(chunk(piece));
          await sleep(5);
        }
        return;
      }
      case 'empty':
        res.end('data: [DONE]\n\n');
        return;
      default:
        res.end(chunk(`unknown mode ${mode}`) + 'data: [DONE]\n\n');
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    /** Streams currently held by [hold]. */
    get heldCount() { return held.size; },
    /** Let every [hold] stream finish. */
    releaseAll() { for (const r of [...held]) r(); },
    /** Wait until `n` [hold] streams are open. */
    async waitHeld(n, timeout = 5000) {
      const deadline = Date.now() + timeout;
      while (held.size < n) {
        if (Date.now() > deadline) throw new Error(`fake-openai: ${held.size} held streams, wanted ${n}`);
        await sleep(10);
      }
    },
    async close() {
      for (const r of [...held]) r();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
