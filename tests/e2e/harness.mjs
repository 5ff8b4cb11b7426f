// Harness for the browser end-to-end suite: a real parley-server serving web/dist, Debian's
// chromium driven by playwright-core, small DOM helpers, generated fixtures, and screenshots of
// every open page when a test fails.
//
// Env: PARLEY_SERVER (binary, default build/parley-server), CHROMIUM (default /usr/bin/chromium),
//      PARLEY_E2E_URL (use an already running server instead of starting one),
//      PARLEY_E2E_HEADED=1 (watch it under a display).
// The browser reaches the server through a TCP proxy in this process, so a test can cut the
// network (every open connection dropped, new ones refused) and bring it back.
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO_ROOT, startServer, api } from '../lib/server.mjs';

export const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Debian's chromium hangs on blocked network without these. Playwright gives every launch a
// fresh temporary --user-data-dir of its own.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
  '--disable-dev-shm-usage',
];
export const T = 10_000; // default wait for anything the UI should show

export async function startApp() {
  let target;
  let server = null;
  if (process.env.PARLEY_E2E_URL) {
    target = process.env.PARLEY_E2E_URL.replace(/\/$/, '');
  } else {
    if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
      throw new Error(`${WEB_DIST}/index.html is missing: build the web client first (cd web && npm ci && npm run build)`);
    }
    server = await startServer({ args: ['--web-root', WEB_DIST] });
    target = server.url;
  }
  const proxy = await startProxy(new URL(target));
  return {
    url: proxy.url, // what the browser uses
    external: !server,
    api: api(server || target), // straight to the server
    server,
    proxy,
    async stop() {
      await proxy.close();
      if (server) await server.stop();
    },
  };
}

// A TCP forwarder on 127.0.0.1:<free port> → target. cut(): drop every connection and refuse new
// ones; restore(): accept again.
export async function startProxy(target) {
  const pairs = new Set();
  let down = false;
  const srv = net.createServer((client) => {
    if (down) { client.destroy(); return; }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    cut() {
      down = true;
      for (const { client, upstream } of pairs) { client.destroy(); upstream.destroy(); }
      pairs.clear();
    },
    restore() { down = false; },
    close() {
      this.cut();
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.PARLEY_E2E_HEADED !== '1',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

// Every page opened through newPage() is screenshotted when a test fails.
const openPages = new Set();

export async function newPage(browser, baseURL, { width = 1280, height = 860, ...opts } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width, height }, acceptDownloads: true, ...opts });
  context.setDefaultTimeout(T);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('close', () => openPages.delete(page));
  openPages.add(page);
  return page;
}

let shotDir = null;
async function screenshotAll(label) {
  shotDir ||= mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-shots-'));
  const files = [];
  let i = 0;
  for (const page of openPages) {
    i += 1;
    const file = path.join(shotDir, `${label.replace(/[^\w.-]+/g, '_')}-${i}.png`);
    try {
      await page.screenshot({ path: file, fullPage: false, timeout: 5000 });
      files.push(file);
    } catch { /* page gone */ }
  }
  return files;
}

// node:test `test` whose failure message names the screenshots taken at that moment.
export function e2e(name, opts, fn) {
  if (typeof opts === 'function') { fn = opts; opts = {}; }
  return test(name, { timeout: 60_000, ...opts }, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      const files = await screenshotAll(name);
      const where = files.length ? `\nscreenshots (${shotDir}):\n  ${files.join('\n  ')}` : '';
      const pageErrors = [...openPages].flatMap((p) => p.errors || []);
      const extra = pageErrors.length ? `\npage errors:\n  ${pageErrors.slice(-5).join('\n  ')}` : '';
      if (err && typeof err === 'object') {
        try { err.message = `${err.message}${where}${extra}`; } catch { /* read-only */ }
      }
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------
// DOM helpers

export const byId = (page, id) => page.getByTestId(id);

/** The message row (data-testid=message) whose content contains `text`. */
export function messageWith(page, text) {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-content').filter({ hasText: text }) });
}

export async function sendMessage(page, text) {
  const input = byId(page, 'message-input');
  await input.fill(text);
  await input.press('Enter');
}

export async function waitForMessage(page, text, timeout = T) {
  await messageWith(page, text).first().waitFor({ state: 'visible', timeout });
}

export async function waitUntil(fn, { timeout = T, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// ---------------------------------------------------------------------------
// Fixtures, generated so the repo holds no binaries.

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A w×h RGB PNG with a diagonal gradient (hue from `seed`). */
export function makePng(w = 160, h = 120, seed = 0) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 255 / w + seed) & 255;
      raw[o + 1] = (y * 255 / h) & 255;
      raw[o + 2] = (200 - seed) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF saying `text`. */
export function makePdf(text = 'Parley sample PDF') {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 18 Tf 30 100 Td (${text}) Tj ET`;
  objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
