// Minimal raw HTTP/1.1 client over node:net for pipelining / timeout / limit tests.
import net from 'node:net';

/**
 * Incremental HTTP/1.1 response parser. feed(buf) returns newly completed responses.
 * Each response: {status, reason, headers (lowercased keys), body (Buffer), text}.
 * `finish()` completes a read-until-close body when the socket ends.
 */
export class ResponseParser {
  constructor() { this.buf = Buffer.alloc(0); this.cur = null; this.done = []; }
  feed(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out = [];
    for (;;) {
      if (!this.cur) {
        const idx = this.buf.indexOf('\r\n\r\n');
        if (idx < 0) break;
        const head = this.buf.subarray(0, idx).toString('latin1');
        this.buf = this.buf.subarray(idx + 4);
        const lines = head.split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]);
        if (!m) throw new Error(`bad status line: ${JSON.stringify(lines[0])}`);
        const headers = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
        }
        const status = Number(m[1]);
        this.cur = { status, reason: m[2], headers, chunks: [] };
        if (status === 204 || status === 304 || (status >= 100 && status < 200) || this.headOnly) this.cur.mode = 'none';
        else if (/chunked/i.test(headers['transfer-encoding'] || '')) { this.cur.mode = 'chunked'; }
        else if (headers['content-length'] !== undefined) { this.cur.mode = 'length'; this.cur.left = Number(headers['content-length']); }
        else this.cur.mode = 'close';
      }
      const c = this.cur;
      if (c.mode === 'none') { out.push(this._complete()); continue; }
      if (c.mode === 'length') {
        const n = Math.min(c.left, this.buf.length);
        c.chunks.push(this.buf.subarray(0, n)); this.buf = this.buf.subarray(n); c.left -= n;
        if (c.left === 0) { out.push(this._complete()); continue; }
        break;
      }
      if (c.mode === 'chunked') {
        const le = this.buf.indexOf('\r\n');
        if (le < 0) break;
        const size = parseInt(this.buf.subarray(0, le).toString('latin1'), 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        if (size === 0) {
          // "0\r\n" [trailers] "\r\n": the terminating blank line is the first CRLFCRLF from le
          const te = this.buf.indexOf('\r\n\r\n', le);
          if (te < 0) break;
          this.buf = this.buf.subarray(te + 4);
          out.push(this._complete());
          continue;
        }
        if (this.buf.length < le + 2 + size + 2) break;
        c.chunks.push(this.buf.subarray(le + 2, le + 2 + size));
        this.buf = this.buf.subarray(le + 2 + size + 2);
        continue;
      }
      // close-delimited
      c.chunks.push(this.buf); this.buf = Buffer.alloc(0);
      break;
    }
    this.done.push(...out);
    return out;
  }
  finish() {
    if (this.cur && this.cur.mode === 'close') { this.done.push(this._complete()); }
  }
  _complete() {
    const c = this.cur; this.cur = null;
    const body = Buffer.concat(c.chunks);
    const text = body.toString('utf8');
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: c.status, reason: c.reason, headers: c.headers, body, text, json };
  }
}

/**
 * Open a raw connection. Returns helpers:
 *   write(data), waitResponses(n, timeoutMs) → responses, waitClose(timeoutMs) → {closed, afterMs}, close().
 */
export function rawConnect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    const parser = new ResponseParser();
    const state = { closed: false, error: null, closedAt: 0, openedAt: Date.now() };
    let notify = () => {};
    sock.on('data', (d) => {
      try { parser.feed(d); } catch (e) { state.error = e; }
      notify();
    });
    sock.on('error', (e) => { state.error = state.error || e; notify(); });
    sock.on('close', () => { state.closed = true; state.closedAt = Date.now(); parser.finish(); notify(); });
    sock.setTimeout(30000, () => sock.destroy());
    const conn = {
      socket: sock,
      parser,
      state,
      write(data) {
        return new Promise((res) => {
          if (sock.destroyed || !sock.writable) { res(false); return; }
          sock.write(data, (err) => res(!err));
        });
      },
      /** Wait until at least n responses have been parsed (or socket closed / timeout). */
      waitResponses(n, timeoutMs = 5000) {
        return waitUntil(() => parser.done.length >= n || state.closed, timeoutMs).then(() => parser.done.slice(0, n));
      },
      /** Wait for the server to close the connection. Resolves {closed, afterMs since open}. */
      waitClose(timeoutMs = 5000) {
        return waitUntil(() => state.closed, timeoutMs).then(() => ({ closed: state.closed, afterMs: state.closedAt - state.openedAt }));
      },
      close() { sock.destroy(); },
    };
    function waitUntil(pred, timeoutMs) {
      return new Promise((res) => {
        if (pred()) { res(); return; }
        const t = setTimeout(() => { notify = () => {}; res(); }, timeoutMs);
        notify = () => { if (pred()) { clearTimeout(t); notify = () => {}; res(); } };
      });
    }
    let connected = false;
    sock.once('connect', () => { connected = true; resolve(conn); });
    sock.once('error', (e) => { if (!connected) reject(e); });
  });
}

/** One-shot: send `data`, collect up to n responses (bounded). */
export async function rawExchange(port, data, n = 1, timeoutMs = 5000) {
  const c = await rawConnect(port);
  try {
    await c.write(data);
    const res = await c.waitResponses(n, timeoutMs);
    return { responses: res, conn: c };
  } finally {
    c.close();
  }
}
