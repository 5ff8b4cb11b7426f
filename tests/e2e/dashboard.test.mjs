// The live dashboard (/dashboard behind --admin-token) in headless Chromium: it renders its
// charts, keeps updating, and shows figures this test changes: the connection count of each of
// two nodes after the test opens Engine.IO sessions on them.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, launchBrowser, newPage, waitUntil, T } from './harness.mjs';
import { startServer } from '../lib/server.mjs';

const TOKEN = 'dash-' + Math.random().toString(36).slice(2);
let a; let b; let browser;

before(async () => {
  b = await startServer();
  a = await startServer({ args: ['--admin-token', TOKEN, '--dashboard-nodes', `self,http://127.0.0.1:${b.port}`] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
});

// Engine.IO sessions opened with a polling handshake (each one counts in parley_sio_sockets).
async function openSessions(server, n) {
  const sids = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    sids.push(JSON.parse(text.slice(1)).sid);
  }
  return sids;
}
async function closeSessions(server, sids) {
  for (const sid of sids) {
    const r = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST', body: '1', headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    });
    await r.text();
  }
}

const cell = (page, node, metric) => page.locator(`#node-${node} td[data-metric="${metric}"]`);

e2e('the dashboard renders two nodes, updates every second and follows their connections', async () => {
  const page = await newPage(browser, a.url);
  await page.goto(`/dashboard?token=${encodeURIComponent(TOKEN)}`);
  // Both nodes scraped, with their build and connection counts.
  await waitUntil(async () => Number(await page.locator('body').getAttribute('data-updates')) >= 2, { what: 'two updates' });
  assert.equal(await page.locator('#nodes tbody tr').count(), 2);
  for (const node of [0, 1]) {
    assert.equal(await cell(page, node, 'state').textContent(), 'ok');
    assert.match(await cell(page, node, 'build').textContent(), /^\d+\.\d+\.\d+ /);
  }
  assert.equal(await cell(page, 0, 'connections').textContent(), '0');
  assert.equal(await cell(page, 1, 'connections').textContent(), '0');

  const onA = await openSessions(a, 3);
  const onB = await openSessions(b, 5);
  await waitUntil(async () => (await cell(page, 0, 'connections').textContent()) === '3', { what: 'node 0 at 3' });
  await waitUntil(async () => (await cell(page, 1, 'connections').textContent()) === '5', { what: 'node 1 at 5' });
  assert.equal(await page.locator('#v-connections-1').textContent(), '5');

  // It keeps updating, and the connections chart has been drawn.
  const seen = Number(await page.locator('body').getAttribute('data-updates'));
  await waitUntil(async () => Number(await page.locator('body').getAttribute('data-updates')) >= seen + 2, { what: 'two more updates', timeout: T });
  const drawn = await page.evaluate(() => {
    const c = document.getElementById('chart-connections');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && !(d[i] === d[i + 1] && d[i + 1] === d[i + 2])) coloured++;
    return coloured;
  });
  assert.ok(drawn > 20, `coloured (line) pixels on the connections chart: ${drawn}`);

  await closeSessions(a, onA);
  await waitUntil(async () => (await cell(page, 0, 'connections').textContent()) === '0', { what: 'node 0 back at 0' });
  await closeSessions(b, onB);
  assert.deepEqual(page.errors, []);
});
