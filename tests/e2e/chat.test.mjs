// The web client end to end, in a real browser against a real parley-server: sign-up and sign-in,
// rooms, two people chatting, read receipts, reactions, files, history paging, banned words, AI
// mentions, the profile, phone width, duplicate login, reconnecting and signing out.
// The tests run in order and share the server, the browser and the two users' pages.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  e2e, startApp, launchBrowser, newPage, byId, messageWith, sendMessage, waitForMessage,
  waitUntil, makePng, makePdf, T,
} from './harness.mjs';

const tag = randomBytes(3).toString('hex');
const alice = { name: 'Alice Kim', email: `alice-${tag}@example.com`, password: 'secret123' };
const bob = { name: 'Bob Lee', email: `bob-${tag}@example.com`, password: 'secret456' };
const ROOM_URL = /\/chat\/([a-f0-9]{24})$/;

let app;
let browser;
let pa; // Alice's page
let pb; // Bob's page
let roomName;
let roomPath;
let socketUp = false; // later tests fail fast, with the reason, when Socket.IO never came up

function needSocket() {
  if (!socketUp) throw new Error('the Socket.IO connection never came up (see "the socket connects and the header says so")');
}

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await app?.stop();
});

async function login(page, user) {
  await page.goto('/');
  await byId(page, 'login-email').fill(user.email);
  await byId(page, 'login-password').fill(user.password);
  await byId(page, 'login-submit').click();
  await page.waitForURL(/\/chat$/);
}

async function storedUser(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('user') || 'null'));
}

async function waitReady(page) {
  await page.locator('[data-testid="chat-room"][data-ready="true"]').waitFor({ timeout: 15_000 });
}

async function uploadFile(page, file) {
  await byId(page, 'file-input').setInputFiles(file);
}

async function download(page, fileMessage) {
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: T }),
    fileMessage.getByTestId('file-download').click(),
  ]);
  const chunks = [];
  for await (const c of await dl.createReadStream()) chunks.push(c);
  return { name: dl.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

e2e('the server serves the web client next to the API', async () => {
  const index = await app.api.get('/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.text, /<div id="root"><\/div>/);
  const deep = await app.api.get('/chat/0123456789abcdef01234567');
  assert.equal(deep.status, 200, 'history-API fallback');
  assert.equal(deep.text, index.text);
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)[1];
  const js = await app.api.get(asset);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal((await app.api.get('/assets/missing-000.js')).status, 404);
  const health = await app.api.get('/api/health');
  assert.equal(health.body.status, 'ok', '/api stays the API');
});

e2e('register: server validation is shown at the fields, then the account is created', async () => {
  pa = await newPage(browser, app.url);
  await pa.goto('/register');
  await byId(pa, 'register-name').fill('A');
  await byId(pa, 'register-email').fill('not-an-email');
  await byId(pa, 'register-password').fill('123');
  await byId(pa, 'register-confirm').fill('123');
  await byId(pa, 'register-submit').click();
  await byId(pa, 'register-name-error').filter({ hasText: '이름은 2자 이상이어야 합니다.' }).waitFor();
  await byId(pa, 'register-email-error').filter({ hasText: '올바른 이메일 형식이 아닙니다.' }).waitFor();
  await byId(pa, 'register-password-error').filter({ hasText: '비밀번호는 6자 이상이어야 합니다.' }).waitFor();

  await byId(pa, 'register-name').fill(alice.name);
  await byId(pa, 'register-email').fill(alice.email);
  await byId(pa, 'register-password').fill(alice.password);
  await byId(pa, 'register-confirm').fill(alice.password);
  await byId(pa, 'register-submit').click();
  await byId(pa, 'register-success').waitFor();
  assert.equal(await byId(pa, 'login-email').inputValue(), alice.email);

  // The same email again: 409 at the email field.
  await pa.goto('/register');
  await byId(pa, 'register-name').fill(alice.name);
  await byId(pa, 'register-email').fill(alice.email.toUpperCase());
  await byId(pa, 'register-password').fill(alice.password);
  await byId(pa, 'register-confirm').fill(alice.password);
  await byId(pa, 'register-submit').click();
  await byId(pa, 'register-email-error').filter({ hasText: '이미 등록된 이메일입니다.' }).waitFor();
});

e2e('login: a wrong password is refused, the right one opens the room list', async () => {
  await pa.goto('/');
  await byId(pa, 'login-email').fill(alice.email);
  await byId(pa, 'login-password').fill('wrong-password');
  await byId(pa, 'login-submit').click();
  await byId(pa, 'login-error').filter({ hasText: '이메일 또는 비밀번호가 올바르지 않습니다.' }).waitFor();
  await byId(pa, 'login-password').fill(alice.password);
  await byId(pa, 'login-submit').click();
  await pa.waitForURL(/\/chat$/);
  await byId(pa, 'create-room-link').waitFor();
  assert.equal(await byId(pa, 'user-name').textContent(), alice.name);
  const u = await storedUser(pa);
  assert.deepEqual(Object.keys(u).sort(), ['email', 'id', 'name', 'profileImage', 'sessionId', 'token']);
  assert.match(u.id, /^[a-f0-9]{24}$/);
  alice.id = u.id;

  const reg = await app.api.post('/api/auth/register', { name: bob.name, email: bob.email, password: bob.password });
  assert.equal(reg.status, 201);
  pb = await newPage(browser, app.url);
  await login(pb, bob);
  bob.id = (await storedUser(pb)).id;
});

e2e('the socket connects and the header says so', async () => {
  for (const page of [pa, pb]) {
    await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor({ timeout: 15_000 });
  }
  socketUp = true;
});

e2e('room list: search, sort and paging', async () => {
  const u = await storedUser(pa);
  const prefix = `Paging ${tag}`;
  for (let i = 1; i <= 12; i++) {
    const r = await app.api.post('/api/rooms', { name: `${prefix} ${String.fromCharCode(96 + i)}` }, { token: u.token });
    assert.equal(r.status, 201);
  }
  await pa.goto('/chat');
  await byId(pa, 'room-search').fill(prefix);
  await pa.locator(`[data-testid="room-list"][data-query="${prefix}"][aria-busy="false"]`).waitFor();
  const names = () => byId(pa, 'room-name').allTextContents();
  await waitUntil(async () => (await names()).length === 10 && (await names()).every((n) => n.startsWith(prefix)), { what: 'the first page of search results' });
  assert.deepEqual((await names()).slice(0, 2), [`${prefix} l`, `${prefix} k`], 'newest first');
  await byId(pa, 'rooms-page').filter({ hasText: 'Page 1 of 2 · 12 rooms' }).waitFor();
  await byId(pa, 'rooms-next').click();
  await waitUntil(async () => (await names()).join() === [`${prefix} b`, `${prefix} a`].join(), { what: 'page 2' });
  assert.equal(await byId(pa, 'rooms-next').isDisabled(), true);
  await byId(pa, 'room-sort').selectOption('name');
  await byId(pa, 'room-order').click(); // ascending
  await waitUntil(async () => (await names())[0] === `${prefix} a`, { what: 'sorted by name, ascending, back on page 1' });
  await byId(pa, 'room-search').fill(`no such room ${tag}`);
  await byId(pa, 'rooms-empty').waitFor();
});

e2e('create a room: it opens at /chat/<id>', async () => {
  roomName = `E2E Room ${tag}`;
  await pa.goto('/chat');
  await byId(pa, 'create-room-link').click();
  await byId(pa, 'room-name-input').fill(roomName);
  await byId(pa, 'create-room-submit').click();
  await pa.waitForURL(ROOM_URL);
  roomPath = new URL(pa.url()).pathname;
  await byId(pa, 'room-title').filter({ hasText: roomName }).waitFor();
});

e2e("the other user's room list shows the new room live", async () => {
  needSocket();
  // Bob has been on /chat since before the room existed: roomCreated must bring it in.
  await byId(pb, 'room-item').filter({ hasText: roomName }).waitFor({ timeout: 8000 });
});

e2e("two users chat and each sees the other's messages", async () => {
  needSocket();
  await waitReady(pa);
  if ((await byId(pb, 'room-item').filter({ hasText: roomName }).count()) === 0) await pb.reload(); // (live update is tested above)
  await byId(pb, 'room-item').filter({ hasText: roomName }).getByRole('button').click();
  await pb.waitForURL(ROOM_URL);
  assert.equal(new URL(pb.url()).pathname, roomPath);
  await waitReady(pb);
  await byId(pa, 'system-message').filter({ hasText: `${bob.name}님이 입장하였습니다.` }).waitFor();

  await sendMessage(pa, 'Hello from Alice 👋');
  await sendMessage(pb, 'Hi Alice, Bob here');
  for (const page of [pa, pb]) {
    await waitForMessage(page, 'Hello from Alice 👋');
    await waitForMessage(page, 'Hi Alice, Bob here');
  }
  await byId(pa, 'participant-count').filter({ hasText: '2' }).waitFor();
});

e2e('a read receipt reaches the sender ("read by all")', async () => {
  needSocket();
  await sendMessage(pa, 'Did you read this?');
  await waitForMessage(pb, 'Did you read this?');
  await messageWith(pa, 'Did you read this?').getByTestId('read-status-all-read').waitFor({ timeout: 7000 });
});

e2e('emoji reactions show up for both users and can be taken back', async () => {
  needSocket();
  const onBob = messageWith(pb, 'Did you read this?');
  await onBob.hover();
  await onBob.getByTestId('reaction-add-button').click();
  await byId(pb, 'reaction-picker').locator('[data-emoji="👍"]').click();
  const chipOnAlice = messageWith(pa, 'Did you read this?').locator('[data-testid="reaction-chip"][data-emoji="👍"]');
  await chipOnAlice.getByTestId('reaction-count').filter({ hasText: '1' }).waitFor();
  const chipOnBob = onBob.locator('[data-testid="reaction-chip"][data-emoji="👍"]');
  assert.equal(await chipOnBob.getAttribute('aria-pressed'), 'true');
  await chipOnBob.click();
  await chipOnAlice.waitFor({ state: 'detached' });
});

e2e('a protected room asks for its password; a wrong one does not sign you out', async () => {
  needSocket();
  const name = `Secret ${tag}`;
  await pa.goto('/chat/new');
  await byId(pa, 'room-name-input').fill(name);
  await byId(pa, 'room-password-toggle').check();
  await byId(pa, 'room-password-input').fill('open-sesame');
  await byId(pa, 'create-room-submit').click();
  await pa.waitForURL(ROOM_URL);
  await waitReady(pa);

  await pb.goto('/chat');
  await byId(pb, 'room-item').filter({ hasText: name }).getByRole('button').click();
  await byId(pb, 'room-password-dialog').waitFor();
  await byId(pb, 'room-password-dialog-input').fill('wrong');
  await byId(pb, 'room-password-dialog-submit').click();
  await byId(pb, 'room-password-dialog-input-error').filter({ hasText: '비밀번호가 일치하지 않습니다.' }).waitFor();
  assert.ok(await storedUser(pb), 'still signed in');
  await byId(pb, 'room-password-dialog-input').fill('open-sesame');
  await byId(pb, 'room-password-dialog-submit').click();
  await pb.waitForURL(ROOM_URL);
  await waitReady(pb);
  await sendMessage(pb, 'Inside the secret room now');
  await waitForMessage(pa, 'Inside the secret room now');

  // Back to the main room for the next tests.
  await pa.goto(roomPath);
  await pb.goto(roomPath);
  await waitReady(pa);
  await waitReady(pb);
});

e2e('image upload: progress bar, inline preview for both, download', async () => {
  needSocket();
  const png = makePng(240, 160, 40);
  // Hold the request a moment so the progress bar is observable.
  await pa.route('**/api/files/upload', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await uploadFile(pa, { name: 'photo.png', mimeType: 'image/png', buffer: png });
  await byId(pa, 'upload-progress').waitFor();
  await byId(pa, 'upload-progress').waitFor({ state: 'detached', timeout: T });
  await pa.unroute('**/api/files/upload');

  for (const page of [pa, pb]) {
    const msg = page.locator('[data-testid="message"][data-type="file"]').filter({ has: page.getByTestId('file-name').filter({ hasText: 'photo.png' }) });
    await msg.waitFor();
    assert.equal((await msg.getByTestId('file-size').textContent()).trim(), `${Number((png.length / 1024).toFixed(2))} KB`);
    const img = msg.getByTestId('file-preview-image');
    assert.match(await img.getAttribute('src'), /\/api\/files\/view\/[^?]+\?token=.+&sessionId=/);
    await waitUntil(() => img.evaluate((el) => el.complete && el.naturalWidth === 240), { what: 'the image preview to load' });
  }
  const msgOnBob = pb.locator('[data-testid="message"][data-type="file"]').filter({ hasText: 'photo.png' });
  const dl = await download(pb, msgOnBob);
  assert.equal(dl.name, 'photo.png');
  assert.ok(dl.bytes.equals(png), 'downloaded bytes equal the upload');
});

e2e('PDF upload: inline preview and download', async () => {
  needSocket();
  const pdf = makePdf(`Parley ${tag}`);
  await uploadFile(pa, { name: 'sample.pdf', mimeType: 'application/pdf', buffer: pdf });
  const msg = pb.locator('[data-testid="message"][data-type="file"]').filter({ hasText: 'sample.pdf' });
  await msg.waitFor();
  assert.equal((await msg.getByTestId('file-size').textContent()).trim(), `${pdf.length} B`);
  const src = await msg.getByTestId('file-preview-pdf').getAttribute('src');
  const head = await pb.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
  }, src);
  assert.deepEqual(head, { status: 200, type: 'application/pdf', size: pdf.length });
  const dl = await download(pb, msg);
  assert.equal(dl.name, 'sample.pdf');
  assert.ok(dl.bytes.equals(pdf));
});

e2e('history: 61 messages, scrolling up pages back to the end marker without jumps', { timeout: 90_000 }, async () => {
  needSocket();
  const u = await storedUser(pa);
  const created = await app.api.post('/api/rooms', { name: `History ${tag}` }, { token: u.token });
  assert.equal(created.status, 201);
  await pa.goto(`/chat/${created.body.data._id}`);
  await waitReady(pa);
  for (let i = 1; i <= 61; i++) await sendMessage(pa, `History message ${i}`);
  await waitForMessage(pa, 'History message 61', 20_000);

  await pa.reload();
  await waitReady(pa);
  await waitForMessage(pa, 'History message 61');
  const list = byId(pa, 'message-list');
  const count = () => pa.locator('[data-testid="message-content"]').filter({ hasText: /^History message \d+$/ }).count();
  const firstCount = await count();
  assert.ok(firstCount < 61, `only the newest page is loaded at first (got ${firstCount})`);
  assert.equal(await byId(pa, 'history-end').count(), 0);

  for (let round = 0; round < 8 && (await byId(pa, 'history-end').count()) === 0; round++) {
    const before = await count();
    // The oldest message shown now must stay where it is when older ones are put above it.
    const anchorId = await pa.locator('[data-testid="message"]').first().getAttribute('data-message-id');
    await list.evaluate((el) => { el.scrollTop = 0; });
    const anchor = pa.locator(`[data-message-id="${anchorId}"]`).getByTestId('message-content');
    const y0 = (await anchor.boundingBox()).y;
    await waitUntil(async () => (await count()) > before || (await byId(pa, 'history-end').count()) > 0, { what: 'older messages' });
    const y1 = (await anchor.boundingBox()).y;
    if ((await count()) > before) assert.ok(Math.abs(y1 - y0) <= 3, `kept the place: ${y0} → ${y1}`);
  }
  await byId(pa, 'history-end').waitFor();
  const texts = await pa.locator('[data-testid="message-content"]').filter({ hasText: /^History message \d+$/ }).allTextContents();
  assert.deepEqual(texts, Array.from({ length: 61 }, (_, i) => `History message ${i + 1}`));
});

e2e('a banned word is rejected with a toast and never shown', async () => {
  needSocket();
  await pa.goto(roomPath);
  await waitReady(pa);
  await sendMessage(pa, 'this contains b3sig78jv somewhere');
  await pa.locator('[data-testid="toast"][data-code="MESSAGE_REJECTED"]').filter({ hasText: '금칙어' }).waitFor({ timeout: 5000 });
  await sendMessage(pa, 'clean message after the banned one');
  await waitForMessage(pa, 'clean message after the banned one');
  assert.equal(await byId(pa, 'message-list').getByText('b3sig78jv').count(), 0);
  assert.equal(await byId(pb, 'message-list').getByText('b3sig78jv').count(), 0);
});

e2e('@ suggests the AI assistants and their reply streams in', async () => {
  needSocket();
  const input = byId(pa, 'message-input');
  await input.fill('');
  await input.pressSequentially('@');
  await byId(pa, 'mention-suggestions').waitFor();
  const options = (await byId(pa, 'mention-option').allTextContents()).map((t) => /@\w+/.exec(t)[0]);
  assert.deepEqual(options, ['@wayneAI', '@consultingAI']);
  await input.pressSequentially('con');
  assert.equal(await byId(pa, 'mention-option').count(), 1);
  await input.press('Enter');
  assert.equal(await input.inputValue(), '@consultingAI ');
  await input.pressSequentially('what should we build next?');
  await input.press('Enter');
  await waitForMessage(pa, '@consultingAI what should we build next?');
  // Without an API key the server reports an error instead of a reply: either is a rendered AI turn.
  const ai = pa.locator('[data-testid="message"][data-type="ai"]').last();
  await ai.waitFor({ timeout: 15_000 });
  await waitUntil(async () => (await ai.getByTestId('ai-streaming').count()) === 0, { timeout: 30_000, what: 'the AI reply to finish' });
  const text = await ai.textContent();
  assert.ok(text.length > 0);
});

e2e('profile: change the name', async () => {
  await pa.goto('/profile');
  await byId(pa, 'profile-name').fill('Alice Renamed');
  await byId(pa, 'profile-save').click();
  await byId(pa, 'profile-success').waitFor();
  await byId(pa, 'user-name').filter({ hasText: 'Alice Renamed' }).waitFor();
  assert.equal((await storedUser(pa)).name, 'Alice Renamed');
  alice.name = 'Alice Renamed';
});

e2e('profile: upload and remove the profile image', async () => {
  if (!new URL(pa.url()).pathname.startsWith('/profile')) await pa.goto('/profile');

  // As in the original e2e: PNG bytes under a .jpg name, sent as image/jpeg.
  await byId(pa, 'profile-image-input').setInputFiles({ name: 'profile.jpg', mimeType: 'image/jpeg', buffer: makePng(200, 200, 90) });
  await pa.locator('[data-testid="toast"]').filter({ hasText: '프로필 이미지가 업데이트되었습니다.' }).waitFor();
  await byId(pa, 'profile-image-delete').waitFor();
  const img = pa.locator('img[data-testid="profile-image"]');
  assert.match(await img.getAttribute('src'), /^\/api\/uploads\/profiles\//);
  await waitUntil(() => img.evaluate((el) => el.complete && el.naturalWidth === 200), { what: 'the profile image to load' });
  assert.ok((await storedUser(pa)).profileImage.startsWith('/api/uploads/profiles/'));

  await byId(pa, 'profile-image-delete').click();
  await byId(pa, 'profile-image-delete').waitFor({ state: 'detached' });
  assert.equal(await pa.locator('img[data-testid="profile-image"]').count(), 0);
  assert.equal((await storedUser(pa)).profileImage, '');
});

e2e('phone width works, and signing in elsewhere ends the old session', { timeout: 60_000 }, async () => {
  needSocket();
  const phone = await newPage(browser, app.url, { width: 390, height: 844, isMobile: true, hasTouch: true });
  await login(phone, bob); // a new session for Bob: the old page gets duplicate_login
  await byId(pb, 'toast').filter({ hasText: 'another device' }).waitFor({ timeout: 8000 });

  await phone.goto(roomPath);
  await waitReady(phone);
  await waitForMessage(phone, 'Did you read this?');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  const box = await byId(phone, 'message-input').boundingBox();
  assert.ok(box && box.y + box.height <= 844, 'the message box is on screen');
  await sendMessage(phone, 'Sent from a phone');
  await waitForMessage(phone, 'Sent from a phone');

  // session_ended follows 10 s after duplicate_login: the old page signs out and says why.
  await pb.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 });
  await byId(pb, 'logout-reason').waitFor();
  pb = phone;
});

e2e('shows the connection state and reconnects by itself after a network cut', async () => {
  needSocket();
  await pa.goto(roomPath);
  await waitReady(pa);
  app.proxy.cut();
  await pa.locator('[data-testid="connection-status"]:not([data-state="connected"])').waitFor();
  assert.equal(await byId(pa, 'send-button').isDisabled(), true, 'no sending while offline');
  await new Promise((r) => setTimeout(r, 1500));
  app.proxy.restore();
  await pa.locator('[data-testid="connection-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
  await waitReady(pa);
  await sendMessage(pa, 'Back after the network cut');
  await waitForMessage(pa, 'Back after the network cut', 15_000);
  await waitForMessage(pb, 'Back after the network cut', 15_000);
  await waitForMessage(pa, 'Hello from Alice 👋');
});

e2e('logout returns to the sign-in page and guards the private pages', async () => {
  await pa.goto('/chat');
  await byId(pa, 'logout-button').click();
  await pa.waitForURL((u) => new URL(u).pathname === '/');
  await byId(pa, 'login-submit').waitFor();
  assert.equal(await storedUser(pa), null);
  for (const p of ['/chat', '/profile', roomPath]) {
    await pa.goto(p);
    await pa.waitForURL((u) => new URL(u).pathname === '/');
  }
});
