// Contract §2.4 / §5.3 (files) and §2.2 (profile images), black-box against parley-server:
// streamed multipart uploads (every kind at and just over its limit, type/extension/name rules,
// the 50 MB request cap, aborted uploads leaving nothing behind), access-checked downloads and
// previews (HEAD, Range, ETag, query-token auth, 403/404/415), path traversal attempts, deletion
// by the uploader only, and public profile images.
//
// The same suite runs on the S3 blob store (files-s3.test.mjs sets PARLEY_TEST_S3_DIR and
// PARLEY_TEST_S3_BUCKET, and PARLEY_SERVER_ARGS to --blob-store s3): `blobs` below then reads
// the bucket's directory instead of the upload directory.
//
// A file is only downloadable once a message references it. When the binary serves Socket.IO,
// the test sends a real `chatMessage {type:"file"}` with tests/compat's socket.io-client.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  startServer, api, registerUser, createRoom, joinRoomRest, assertError, HEX24, ISO_UTC, REPO_ROOT,
  sleep,
} from '../lib/server.mjs';
import { bucketView } from '../lib/s3rver.mjs';

const MiB = 1024 * 1024;
const NOT_FOUND = '파일을 찾을 수 없습니다.';

// ---------------------------------------------------------------------------
// helpers

/** multipart/form-data body with one file part (plus optional extra text fields first). */
function multipart({ field = 'file', filename, type, content, fields = {} }) {
  const boundary = `----parley${randomBytes(8).toString('hex')}`;
  const chunks = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (filename !== undefined) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n`;
    if (type) head += `Content-Type: ${type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function post(server, p, token, { body, contentType }, timeoutMs = 60000) {
  const headers = { 'content-type': contentType };
  if (token) headers['x-auth-token'] = token;
  const res = await fetch(new URL(p, server.url), { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

const uploadFile = (server, token, part) => post(server, '/api/files/upload', token, multipart(part));
const uploadProfile = (server, token, part) =>
  post(server, '/api/users/profile-image', token, multipart({ field: 'profileImage', ...part }));

/** GET/HEAD returning the raw bytes. */
async function fetchBytes(server, p, { method = 'GET', token, tokenVia = 'header', headers = {} } = {}) {
  const u = new URL(p, server.url);
  const h = { ...headers };
  if (token && tokenVia === 'header') h['x-auth-token'] = token;
  if (token && tokenVia === 'query') { u.searchParams.set('token', token); u.searchParams.set('sessionId', 'ignored'); u.searchParams.set('download', 'true'); }
  const res = await fetch(u, { method, headers: h, signal: AbortSignal.timeout(30000) });
  const buf = Buffer.from(await res.arrayBuffer());
  let json;
  if ((res.headers.get('content-type') || '').includes('json')) { try { json = JSON.parse(buf.toString('utf8')); } catch { /* ignore */ } }
  return { status: res.status, headers: res.headers, bytes: buf, body: json };
}

/** A request with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(server, rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'GET', path: rawPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body = text;
        try { body = JSON.parse(text); } catch { /* keep text */ }
        resolve({ status: res.statusCode, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every regular file under dir (relative paths), recursively. */
function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

// What the blob store holds, seen from outside the server:
//   list()      keys of the committed blobs (local: every file under the upload dir, temp files too)
//   size(key)   bytes of a committed blob, or undefined
//   pending()   uploads being written (local: non-empty temp files; S3: multipart uploads with parts)
//   spill       bytes an upload must pass before anything reaches storage (S3: one part)
function blobStoreView(server) {
  const s3Dir = process.env.PARLEY_TEST_S3_DIR;
  if (s3Dir) {
    const bucket = bucketView(s3Dir, process.env.PARLEY_TEST_S3_BUCKET);
    return {
      s3: true,
      spill: 8 * MiB,
      list: () => bucket.objects(),
      size: (key) => bucket.size(key),
      pending: () => bucket.uploads().filter((u) => u.parts > 0).map((u) => u.uploadId),
    };
  }
  const dir = path.join(server.dataDir, 'uploads');
  return {
    s3: false,
    spill: 0,
    list: () => filesUnder(dir),
    size: (key) => (existsSync(path.join(dir, key)) ? statSync(path.join(dir, key)).size : undefined),
    pending: () => filesUnder(dir).filter((f) => f.startsWith('.tmp') && statSync(path.join(dir, f)).size > 0),
  };
}

function dispositionName(header) {
  const m = /filename\*=UTF-8''([^;]+)/.exec(header || '');
  return m ? decodeURIComponent(m[1]) : undefined;
}

// ---- linking a file to a room through a file message

const sioClient = createRequire(path.join(REPO_ROOT, 'tests', 'compat', 'package.json'))('socket.io-client');

// Sends a real `chatMessage {type:"file"}` over Socket.IO. Disconnecting leaves the room (and the
// DB participants, §3.6), so the user then re-joins over REST, as a page reload does.
async function linkFile(server, user, roomId, fileId) {
  const socket = sioClient.io(server.url, {
    auth: { token: user.token, sessionId: user.sessionId }, transports: ['websocket'], forceNew: true, reconnection: false,
  });
  try {
    const wait = (name, pred, ms = 8000) => new Promise((resolve, reject) => {
      const t = setTimeout(() => { socket.off(name, on); reject(new Error(`no ${name} within ${ms} ms`)); }, ms);
      const on = (d) => { if (pred(d)) { clearTimeout(t); socket.off(name, on); resolve(d); } };
      socket.on(name, on);
    });
    await wait('connect', () => true);
    const joined = wait('joinRoomSuccess', (d) => d && d.roomId === roomId);
    socket.emit('joinRoom', roomId);
    await joined;
    const echoed = wait('message', (d) => d && d.type === 'file' && d.file && d.file._id === fileId);
    socket.emit('chatMessage', { room: roomId, type: 'file', content: '', fileData: { _id: fileId } });
    await echoed;
  } finally {
    socket.disconnect();
  }
  // The server processes the disconnect (leaving the room) asynchronously: wait until it has,
  // then join again.
  const a = api(server);
  for (let i = 0; i < 50; i++) {
    const r = await a.get(`/api/rooms/${roomId}`, { token: user.token });
    if (!r.body.data.participants.some((p) => p._id === user.id)) break;
    await sleep(20);
  }
  await joinRoomRest(a, user, roomId);
}

function assertUploaded(r, { originalname, mimetype, size }) {
  assert.equal(r.status, 200, `upload status (body ${JSON.stringify(r.body)})`);
  assert.equal(r.body.success, true);
  assert.equal(r.body.message, '파일 업로드 성공');
  const f = r.body.file;
  assert.match(f._id, HEX24);
  assert.match(f.filename, /^\d{13}_[0-9a-f]{16}\.[A-Za-z0-9]+$/);
  assert.equal(f.originalname, originalname);
  assert.equal(f.mimetype, mimetype);
  assert.equal(f.size, size);
  assert.match(f.uploadDate, ISO_UTC);
  return f;
}

// ---------------------------------------------------------------------------

describe('files', () => {
  let server;
  let a;
  let blobs;
  before(async () => {
    server = await startServer();
    a = api(server);
    blobs = blobStoreView(server);
  });
  after(async () => { await server?.stop(); });

  describe('upload rules (§5.3)', () => {
    let alice;
    before(async () => { alice = await registerUser(a); });

    const kinds = [
      { kind: '이미지', type: 'image/jpeg', name: 'photo.JPG', limit: 10 * MiB },
      { kind: '동영상', type: 'video/mp4', name: 'clip.mp4', limit: 50 * MiB },
      { kind: '오디오', type: 'audio/mpeg', name: 'song.mp3', limit: 20 * MiB },
      { kind: '문서', type: 'application/pdf', name: 'doc.pdf', limit: 20 * MiB },
    ];
    for (const { kind, type, name, limit } of kinds) {
      test(`${type}: exactly ${limit / MiB} MiB is accepted, one byte more is rejected`, async () => {
        const ok = await uploadFile(server, alice.token, { filename: name, type, content: Buffer.alloc(limit) });
        const f = assertUploaded(ok, { originalname: name, mimetype: type, size: limit });
        assert.ok(f.filename.endsWith(`.${name.split('.').pop()}`), 'stored name keeps the extension as given');
        assert.equal(blobs.size(f.filename), limit);

        const before = blobs.list();
        const over = await uploadFile(server, alice.token, { filename: name, type, content: Buffer.alloc(limit + 1) });
        assertError(over, 400, `${kind} 파일은 ${limit / MiB}MB를 초과할 수 없습니다.`);
        assert.deepEqual(blobs.list(), before, 'a rejected upload leaves no file');
      });
    }

    test('extension must match the client type', async () => {
      assertError(await uploadFile(server, alice.token, { filename: 'a.jpg', type: 'image/png', content: Buffer.from('x') }),
        400, '이미지 확장자가 올바르지 않습니다.');
      assertError(await uploadFile(server, alice.token, { filename: 'a.mp3', type: 'video/webm', content: Buffer.from('x') }),
        400, '동영상 확장자가 올바르지 않습니다.');
      assertError(await uploadFile(server, alice.token, { filename: 'noext', type: 'audio/ogg', content: Buffer.from('x') }),
        400, '오디오 확장자가 올바르지 않습니다.');
      assertError(await uploadFile(server, alice.token, { filename: 'a.pdf', type: 'application/msword', content: Buffer.from('x') }),
        400, '문서 확장자가 올바르지 않습니다.');
    });

    test('types outside the list are refused; no content sniffing', async () => {
      assertError(await uploadFile(server, alice.token, { filename: 'a.txt', type: 'text/plain', content: Buffer.from('hello') }),
        400, '지원하지 않는 파일 형식입니다.');
      assertError(await uploadFile(server, alice.token, { filename: 'a.svg', type: 'image/svg+xml', content: Buffer.from('<svg/>') }),
        400, '지원하지 않는 파일 형식입니다.');
      // PNG bytes sent as image/jpeg (the e2e profile.jpg case): accepted as the client says.
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      assertUploaded(await uploadFile(server, alice.token, { filename: 'really-png.jpg', type: 'image/jpeg', content: png }),
        { originalname: 'really-png.jpg', mimetype: 'image/jpeg', size: png.length });
    });

    test('empty file, missing file and blank name', async () => {
      assertError(await uploadFile(server, alice.token, { filename: 'empty.pdf', type: 'application/pdf', content: Buffer.alloc(0) }),
        400, '파일이 비어있습니다.');
      assertError(await uploadFile(server, alice.token, { field: 'attachment', filename: 'a.pdf', type: 'application/pdf', content: Buffer.from('x') }),
        400, '파일이 비어있습니다.');
      assertError(await post(server, '/api/files/upload', alice.token, multipart({ fields: { note: 'no file' } })),
        400, '파일이 비어있습니다.');
      assertError(await uploadFile(server, alice.token, { filename: '   ', type: 'application/pdf', content: Buffer.from('x') }),
        400, '파일명이 올바르지 않습니다.');
      const notMultipart = await a.post('/api/files/upload', { file: 'x' }, { token: alice.token });
      assertError(notMultipart, 400, '파일이 비어있습니다.');
    });

    test('names of 255 bytes are kept whole, 256 bytes are too long; slashes stripped', async () => {
      const name255 = `${'a'.repeat(251)}.pdf`;
      assertUploaded(await uploadFile(server, alice.token, { filename: name255, type: 'application/pdf', content: Buffer.from('%PDF') }),
        { originalname: name255, mimetype: 'application/pdf', size: 4 });
      assertError(await uploadFile(server, alice.token, { filename: `${'a'.repeat(252)}.pdf`, type: 'application/pdf', content: Buffer.from('%PDF') }),
        400, '파일명이 너무 깁니다.');
      const korean = `${'가'.repeat(84)}.pdf`; // 84 * 3 + 4 = 256 bytes
      assertError(await uploadFile(server, alice.token, { filename: korean, type: 'application/pdf', content: Buffer.from('%PDF') }),
        400, '파일명이 너무 깁니다.');
      assertUploaded(await uploadFile(server, alice.token, { filename: '../../etc/x.pdf', type: 'application/pdf', content: Buffer.from('%PDF') }),
        { originalname: '....etcx.pdf', mimetype: 'application/pdf', size: 4 });
    });

    test('over the 50 MB request cap: 413 FILE_TOO_LARGE before the body is read', async () => {
      const r = await uploadFile(server, alice.token, { filename: 'huge.mp4', type: 'video/mp4', content: Buffer.alloc(51 * MiB) });
      assert.equal(r.status, 413);
      assert.deepEqual(r.body, { success: false, message: '파일 크기는 5MB를 초과할 수 없습니다.', code: 'FILE_TOO_LARGE' });
    });

    test('authentication is required', async () => {
      const r = await uploadFile(server, undefined, { filename: 'a.pdf', type: 'application/pdf', content: Buffer.from('x') });
      assert.equal(r.status, 401);
    });

    test('an aborted upload is streamed to a temp file and leaves nothing behind', async () => {
      const before = blobs.list();
      const { body, contentType } = multipart({ filename: 'aborted.mp4', type: 'video/mp4', content: Buffer.alloc(20 * MiB) });
      const req = http.request({
        host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/files/upload',
        headers: { 'x-auth-token': alice.token, 'content-type': contentType, 'content-length': body.length },
      });
      req.on('error', () => {});
      const pendingBefore = blobs.pending();
      req.write(body.subarray(0, blobs.spill + 4 * MiB));
      // While the body arrives, the bytes go to a temp file or a multipart upload (not to memory,
      // not to the final name).
      let temp = [];
      for (let i = 0; i < 100 && temp.length === 0; i += 1) {
        await sleep(50);
        temp = blobs.pending().filter((u) => !pendingBefore.includes(u));
      }
      assert.equal(temp.length, 1, `a temp file or upload should be growing, saw ${JSON.stringify(blobs.pending())}`);
      req.destroy();
      let now = blobs.list();
      for (let i = 0; i < 60 && JSON.stringify(now) !== JSON.stringify(before); i += 1) { await sleep(50); now = blobs.list(); }
      assert.deepEqual(now, before, 'the temp file is removed when the client goes away');
      if (blobs.s3) {
        // s3rver does not implement AbortMultipartUpload (it answers 405 and keeps the parts), so
        // what can be checked is that the server sent the abort for exactly this upload.
        let logged = false;
        for (let i = 0; i < 60 && !logged; i += 1) {
          logged = !blobs.pending().includes(temp[0]) || server.logs().stdout.includes(`(${temp[0]})`);
          if (!logged) await sleep(50);
        }
        assert.ok(logged, `the multipart upload ${temp[0]} is aborted\n${server.logs().stdout}`);
      }
    });
  });

  describe('download and view (§2.4)', () => {
    let owner; let member; let outsider; let room;
    let pdf; let docx; let unlinked;
    const pdfBytes = randomBytes(300 * 1024 + 7);
    const nfdName = '한글 파일 (1).pdf'.normalize('NFD');
    const nfcName = '한글 파일 (1).pdf';

    before(async () => {
      owner = await registerUser(a);
      member = await registerUser(a);
      outsider = await registerUser(a);
      room = await createRoom(a, owner);
      await joinRoomRest(a, member, room._id);
      pdf = assertUploaded(await uploadFile(server, owner.token, { filename: nfdName, type: 'application/pdf', content: pdfBytes }),
        { originalname: nfcName, mimetype: 'application/pdf', size: pdfBytes.length });
      docx = assertUploaded(await uploadFile(server, owner.token, {
        filename: 'report.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: Buffer.from('PK'),
      }), { originalname: 'report.docx', mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 2 });
      unlinked = assertUploaded(await uploadFile(server, owner.token, { filename: 'lonely.pdf', type: 'application/pdf', content: Buffer.from('%PDF') }),
        { originalname: 'lonely.pdf', mimetype: 'application/pdf', size: 4 });
      await linkFile(server, owner, room._id, pdf._id);
      await linkFile(server, owner, room._id, docx._id);
    });

    test('download by a participant: bytes, headers, RFC 5987 name round trip, query token', async () => {
      for (const [user, via] of [[owner, 'header'], [member, 'query']]) {
        const r = await fetchBytes(server, `/api/files/download/${pdf.filename}`, { token: user.token, tokenVia: via });
        assert.equal(r.status, 200);
        assert.ok(r.bytes.equals(pdfBytes), 'downloaded bytes equal the upload');
        assert.equal(r.headers.get('content-type'), 'application/pdf');
        assert.equal(r.headers.get('content-length'), String(pdfBytes.length));
        assert.equal(r.headers.get('cache-control'), 'private, no-cache, no-store, must-revalidate');
        const cd = r.headers.get('content-disposition');
        assert.ok(cd.startsWith("attachment; filename*=UTF-8''"), cd);
        assert.ok(cd.includes('%20'), 'spaces are %20');
        assert.equal(dispositionName(cd), nfcName, 'NFC name survives the round trip');
      }
    });

    test('view: inline, immutable cache; 415 for a non-previewable type', async () => {
      const r = await fetchBytes(server, `/api/files/view/${pdf.filename}`, { token: member.token, tokenVia: 'query' });
      assert.equal(r.status, 200);
      assert.ok(r.bytes.equals(pdfBytes));
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const cd = r.headers.get('content-disposition');
      assert.match(cd, /^inline; filename="[^"]*"; filename\*=UTF-8''/);
      assert.equal(dispositionName(cd), nfcName);
      const d = await fetchBytes(server, `/api/files/view/${docx.filename}`, { token: owner.token });
      assert.equal(d.status, 415);
      assert.deepEqual(d.body, { success: false, message: '미리보기를 지원하지 않는 파일 형식입니다.' });
      const dl = await fetchBytes(server, `/api/files/download/${docx.filename}`, { token: owner.token });
      assert.equal(dl.status, 200, 'the same file downloads fine');
    });

    test('HEAD answers the GET headers without a body', async () => {
      for (const route of ['download', 'view']) {
        const r = await fetchBytes(server, `/api/files/${route}/${pdf.filename}`, { method: 'HEAD', token: member.token });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-length'), String(pdfBytes.length));
        assert.equal(r.bytes.length, 0);
      }
      const denied = await fetchBytes(server, `/api/files/download/${pdf.filename}`, { method: 'HEAD', token: outsider.token });
      assert.equal(denied.status, 403);
      const missing = await fetchBytes(server, '/api/files/download/1730000000000_0123456789abcdef.pdf', { method: 'HEAD', token: owner.token });
      assert.equal(missing.status, 404);
    });

    test('Range: 206 for one range, suffix ranges, 416 beyond the end', async () => {
      const p = `/api/files/download/${pdf.filename}`;
      const r = await fetchBytes(server, p, { token: owner.token, headers: { Range: 'bytes=100-1099' } });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), `bytes 100-1099/${pdfBytes.length}`);
      assert.equal(r.headers.get('content-length'), '1000');
      assert.ok(r.bytes.equals(pdfBytes.subarray(100, 1100)));
      const tail = await fetchBytes(server, p, { token: owner.token, headers: { Range: 'bytes=-10' } });
      assert.equal(tail.status, 206);
      assert.ok(tail.bytes.equals(pdfBytes.subarray(pdfBytes.length - 10)));
      const open = await fetchBytes(server, p, { token: owner.token, headers: { Range: `bytes=${pdfBytes.length - 3}-` } });
      assert.ok(open.bytes.equals(pdfBytes.subarray(pdfBytes.length - 3)));
      const bad = await fetchBytes(server, p, { token: owner.token, headers: { Range: `bytes=${pdfBytes.length}-` } });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), `bytes */${pdfBytes.length}`);
      const multi = await fetchBytes(server, p, { token: owner.token, headers: { Range: 'bytes=0-1,5-6' } });
      assert.equal(multi.status, 200, 'several ranges: the whole file');
      assert.equal(multi.bytes.length, pdfBytes.length);
    });

    test('ETag and If-None-Match: 304; If-Range with another tag ignores Range', async () => {
      const p = `/api/files/view/${pdf.filename}`;
      const first = await fetchBytes(server, p, { token: owner.token });
      const etag = first.headers.get('etag');
      assert.match(etag, /^"[^"]+"$/);
      const again = await fetchBytes(server, p, { token: owner.token, headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.bytes.length, 0);
      const other = await fetchBytes(server, p, { token: owner.token, headers: { 'If-None-Match': '"nope"' } });
      assert.equal(other.status, 200);
      const stale = await fetchBytes(server, p, { token: owner.token, headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } });
      assert.equal(stale.status, 200);
      const fresh = await fetchBytes(server, p, { token: owner.token, headers: { Range: 'bytes=0-9', 'If-Range': etag } });
      assert.equal(fresh.status, 206);
    });

    test('access rule: 403 for a non-participant until they join; 404 for unknown or unlinked files', async () => {
      const p = `/api/files/download/${pdf.filename}`;
      const denied = await fetchBytes(server, p, { token: outsider.token, tokenVia: 'query' });
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { success: false, message: '파일에 접근할 권한이 없습니다.' });
      const late = await registerUser(a);
      await joinRoomRest(a, late, room._id);
      assert.equal((await fetchBytes(server, p, { token: late.token })).status, 200, 'joining the room grants access');

      const unknown = await fetchBytes(server, '/api/files/view/1730000000000_0123456789abcdef.pdf', { token: owner.token });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { success: false, message: NOT_FOUND });
      const lonely = await fetchBytes(server, `/api/files/download/${unlinked.filename}`, { token: owner.token });
      assert.equal(lonely.status, 404, 'no message references it, even for the uploader');
      assert.deepEqual(lonely.body, { success: false, message: NOT_FOUND });
      assert.equal((await fetchBytes(server, p)).status, 401, 'no token');
    });

    test('path traversal attempts are refused without touching the filesystem', async () => {
      const h = { 'x-auth-token': owner.token };
      const cases = [
        ['/api/files/download/..', '잘못된 파일명입니다.'],
        ['/api/files/download/%2e%2e', '잘못된 파일명입니다.'],
        ['/api/files/download/..%2F..%2Fparley.db', '잘못된 파일명입니다.'],
        ['/api/files/download/..%5C..%5Cparley.db', '잘못된 파일명입니다.'],
        ['/api/files/view/a%00.pdf', '잘못된 파일명입니다.'],
        ['/api/files/view/.tmp', '잘못된 파일명입니다.'],
        ['/api/files/download/../../parley.db', '잘못된 파일명입니다.'],
        ['/api/files/view/profiles/x.png', '잘못된 파일명입니다.'],
        ['/api/files/download/..\\..\\parley.db', '잘못된 파일명입니다.'],
        ['/api/uploads/profiles/..%2F..%2Fparley.db', '잘못된 파일 경로입니다.'],
        ['/api/uploads/profiles/../../parley.db', '잘못된 파일 경로입니다.'],
        ['/api/uploads/../parley.db', '잘못된 파일 경로입니다.'],
        ['/uploads/profiles/%2e%2e%2f%2e%2e%2fparley.db', '잘못된 파일 경로입니다.'],
        ['/uploads/profiles/..%5cparley.db', '잘못된 파일 경로입니다.'],
      ];
      for (const [p, message] of cases) {
        const r = await rawGet(server, p, h);
        assert.equal(r.status, 400, `${p} → ${r.status} ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body, { success: false, message }, p);
      }
      // A chat attachment is not public under /api/uploads (it needs the access rule).
      assert.equal((await rawGet(server, `/api/uploads/${pdf.filename}`)).status, 404);
      assert.equal((await rawGet(server, `/api/uploads/profiles/${pdf.filename}`)).status, 404);
    });

    test('delete: uploader only; the record and the bytes go', async () => {
      const f = assertUploaded(await uploadFile(server, owner.token, { filename: 'bye.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1') }),
        { originalname: 'bye.pdf', mimetype: 'application/pdf', size: 6 });
      await linkFile(server, owner, room._id, f._id);
      assert.notEqual(blobs.size(f.filename), undefined);
      assertError(await a.del(`/api/files/${f._id}`, { token: member.token }), 403, '파일을 삭제할 권한이 없습니다.');
      assertError(await a.del('/api/files/0123456789abcdef01234567', { token: owner.token }), 404, NOT_FOUND);
      assertError(await a.del('/api/files/not-an-id', { token: owner.token }), 404, NOT_FOUND);
      const ok = await a.del(`/api/files/${f._id}`, { token: owner.token });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { success: true, message: '파일이 삭제되었습니다.' });
      assert.equal(blobs.size(f.filename), undefined, 'the blob is removed');
      assertError(await a.del(`/api/files/${f._id}`, { token: owner.token }), 404, NOT_FOUND);
      const gone = await fetchBytes(server, `/api/files/download/${f.filename}`, { token: owner.token });
      assert.equal(gone.status, 404);
    });
  });

  describe('profile images (§2.2)', () => {
    let user;
    before(async () => { user = await registerUser(a); });

    test('set → served publicly → replaced → deleted', async () => {
      const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64 * 1024)]);
      const r = await uploadProfile(server, user.token, { filename: 'profile.jpg', type: 'image/jpeg', content: png });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.success, true);
      assert.equal(r.body.message, '프로필 이미지가 업데이트되었습니다.');
      assert.match(r.body.imageUrl, /^\/api\/uploads\/profiles\/\d{13}_[0-9a-f]{16}\.jpg$/);
      const url = r.body.imageUrl;
      const profile = await a.get('/api/users/profile', { token: user.token });
      assert.equal(profile.body.user.profileImage, url);

      for (const p of [url, url.replace(/^\/api/, '')]) {
        const img = await fetchBytes(server, p); // no token: public
        assert.equal(img.status, 200, p);
        assert.ok(img.bytes.equals(png));
        assert.equal(img.headers.get('content-type'), 'image/jpeg');
      }
      const head = await fetchBytes(server, url, { method: 'HEAD' });
      assert.equal(head.headers.get('content-length'), String(png.length));

      const second = await uploadProfile(server, user.token, { filename: 'new.webp', type: 'image/webp', content: Buffer.from('RIFFxxxxWEBP') });
      assert.equal(second.status, 200);
      assert.equal((await fetchBytes(server, url)).status, 404, 'the replaced image is deleted');
      assert.equal((await fetchBytes(server, second.body.imageUrl)).status, 200);

      const del = await a.del('/api/users/profile-image', { token: user.token });
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, { success: true, message: '프로필 이미지가 삭제되었습니다.' });
      assert.equal((await a.get('/api/users/profile', { token: user.token })).body.user.profileImage, '');
      assert.equal((await fetchBytes(server, second.body.imageUrl)).status, 404);
      assert.equal((await a.del('/api/users/profile-image', { token: user.token })).status, 200, 'also when none is set');
      assert.deepEqual(blobs.list().filter((k) => k.startsWith('profiles/')), []);
    });

    test('profile image rules and texts', async () => {
      assertError(await uploadProfile(server, user.token, { filename: 'cv.pdf', type: 'application/pdf', content: Buffer.from('%PDF') }),
        400, '이미지 파일만 업로드할 수 있습니다.');
      assertError(await uploadProfile(server, user.token, { filename: 'a.bmp', type: 'image/bmp', content: Buffer.from('BM') }),
        400, '이미지 파일만 업로드할 수 있습니다.');
      assertError(await uploadProfile(server, user.token, { filename: 'a.png', type: 'image/png', content: Buffer.alloc(0) }),
        400, '이미지가 제공되지 않았습니다.');
      assertError(await post(server, '/api/users/profile-image', user.token, multipart({ fields: { x: 'y' } })),
        400, '이미지가 제공되지 않았습니다.');
      assertError(await uploadProfile(server, user.token, { filename: 'big.png', type: 'image/png', content: Buffer.alloc(5 * MiB + 1) }),
        400, '파일 크기는 5MB를 초과할 수 없습니다.');
      assertError(await uploadProfile(server, user.token, { filename: 'a.png', type: 'image/jpeg', content: Buffer.from('x') }),
        400, '이미지 확장자가 올바르지 않습니다.');
      const atLimit = await uploadProfile(server, user.token, { filename: 'max.png', type: 'image/png', content: Buffer.alloc(5 * MiB) });
      assert.equal(atLimit.status, 200);
      assert.equal((await a.get('/api/users/profile', { token: user.token })).body.user.profileImage, atLimit.body.imageUrl);
    });
  });
});
