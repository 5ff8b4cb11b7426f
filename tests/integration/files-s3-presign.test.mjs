// --s3-presign-downloads against a real s3rver on 127.0.0.1: after the access check a GET answers
// 302 to a presigned URL that s3rver accepts (and refuses once tampered with); HEAD, and every
// refusal (401, 404), are still answered by the server itself.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, api, registerUser } from '../lib/server.mjs';
import { startS3rver, S3RVER_KEY } from '../lib/s3rver.mjs';

function multipart(field, filename, type, content) {
  const boundary = `----parley${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
    `Content-Type: ${type}\r\n\r\n`);
  return { body: Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

async function post(server, p, token, { body, type }) {
  const r = await fetch(new URL(p, server.url), { method: 'POST', headers: { 'content-type': type, 'x-auth-token': token }, body });
  return { status: r.status, body: await r.json() };
}

describe('presigned downloads (--s3-presign-downloads)', () => {
  let s3; let server; let user;
  before(async () => {
    s3 = await startS3rver();
    process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_KEY;
    server = await startServer({ args: [...s3.serverArgs, '--s3-presign-downloads', 'true', '--s3-presign-seconds', '60'] });
    user = await registerUser(api(server));
  });
  after(async () => { await server?.stop(); await s3?.stop(); });

  test('a profile image GET is a 302 to a presigned URL that serves the bytes', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(32 * 1024)]);
    const up = await post(server, '/api/users/profile-image', user.token, multipart('profileImage', 'me.png', 'image/png', png));
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const r = await fetch(new URL(up.body.imageUrl, server.url), { redirect: 'manual' });
    assert.equal(r.status, 302);
    const location = r.headers.get('location');
    const name = up.body.imageUrl.split('/').pop();
    assert.ok(location.startsWith(`${s3.endpoint}/${s3.bucket}/profiles/${name}?`), location);
    const u = new URL(location);
    assert.equal(u.searchParams.get('X-Amz-Expires'), '60');
    assert.equal(u.searchParams.get('response-content-type'), 'image/png');

    const direct = await fetch(location);
    assert.equal(direct.status, 200);
    assert.ok(Buffer.from(await direct.arrayBuffer()).equals(png), 'the presigned URL serves the upload');
    assert.equal(direct.headers.get('content-type'), 'image/png');

    const sig = u.searchParams.get('X-Amz-Signature');
    u.searchParams.set('X-Amz-Signature', `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`);
    assert.equal((await fetch(u)).status, 403, 's3rver checks the presigned signature');

    const head = await fetch(new URL(up.body.imageUrl, server.url), { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.status, 200, 'HEAD is answered by the server');
    assert.equal(head.headers.get('content-length'), String(png.length));
  });

  test('the access check comes first: no redirect for a refused download', async () => {
    const up = await post(server, '/api/files/upload', user.token, multipart('file', 'a.pdf', 'application/pdf', Buffer.from('%PDF-1')));
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const p = new URL(`/api/files/download/${up.body.file.filename}`, server.url);
    const anonymous = await fetch(p, { redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    // Uploaded but referenced by no message: 404 even for the uploader, and no URL handed out.
    const unlinked = await fetch(p, { redirect: 'manual', headers: { 'x-auth-token': user.token } });
    assert.equal(unlinked.status, 404);
    assert.equal(unlinked.headers.get('location'), null);
  });
});
