// The S3 blob store when things go wrong, against a real s3rver on 127.0.0.1 (started here,
// stopped and killed by PID): a wrong secret (s3rver checks SigV4 and answers 403
// SignatureDoesNotMatch) gives the uploader the contract's upload error and a log line, and no
// object; the endpoint vanishing in the middle of a multipart upload leaves no object and the
// server up (and working again once the endpoint is back); a part refused with 503 is retried
// a bounded number of times (through a refusing proxy); idle connections the storage closed do
// not break the next upload; missing credentials stop the server at start; a 50 MiB upload keeps
// the server's peak RSS flat (one part in memory, not the whole file).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer, api, registerUser, sleep } from '../lib/server.mjs';
import { startS3rver, S3RVER_KEY } from '../lib/s3rver.mjs';

const MiB = 1024 * 1024;
const UPLOAD_ERROR = { success: false, message: '파일 업로드 중 오류가 발생했습니다.' };
const PROFILE_ERROR = { success: false, message: '이미지 업로드 중 오류가 발생했습니다.' };

function multipart({ field = 'file', filename, type, size }) {
  const boundary = `----parley${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
    `Content-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, randomBytes(size), tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(server, token, part, p = '/api/files/upload') {
  const { body, contentType } = multipart(part);
  const res = await fetch(new URL(p, server.url), {
    method: 'POST', headers: { 'content-type': contentType, 'x-auth-token': token }, body, signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

/** parley-server on `s3` with these credentials (the environment is the only way to pass them). */
async function startOn(s3, { secret = S3RVER_KEY, args = [] } = {}) {
  const saved = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
  process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = secret;
  try {
    return await startServer({ args: [...s3.serverArgs, ...args] });
  } finally {
    [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY] = saved;
    for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved[0]], ['AWS_SECRET_ACCESS_KEY', saved[1]]]) {
      if (v === undefined) delete process.env[k];
    }
  }
}

async function assertAlive(server) {
  assert.ok(server.running, `the server is still running\n${server.logs().stderr}`);
  const r = await api(server).get('/api/health');
  assert.equal(r.status, 200);
}

const vmHwmKiB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

describe('S3 blob store failures', () => {
  let s3;
  before(async () => { s3 = await startS3rver(); });
  after(async () => { await s3?.stop(); });

  test('missing credentials or endpoint: the server refuses to start, saying why', async () => {
    const saved = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      await assert.rejects(startServer({ args: s3.serverArgs }), /S3 credentials missing: set AWS_ACCESS_KEY_ID/);
    } finally {
      if (saved[0] !== undefined) process.env.AWS_ACCESS_KEY_ID = saved[0];
      if (saved[1] !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved[1];
    }
    process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_KEY;
    await assert.rejects(startServer({ args: ['--blob-store', 's3', '--s3-endpoint', 'ftp://127.0.0.1:1', '--s3-bucket', 'b'] }),
      /S3 endpoint ftp:\/\/127\.0\.0\.1:1: http or https only/);
    for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved[0]], ['AWS_SECRET_ACCESS_KEY', saved[1]]]) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });

  test('a wrong secret: 403 SignatureDoesNotMatch surfaces as the upload error, logged; no object', async () => {
    const server = await startOn(s3, { secret: 'not-the-s3rver-secret' });
    try {
      const user = await registerUser(api(server));
      const small = await upload(server, user.token, { filename: 'a.pdf', type: 'application/pdf', size: 1000 });
      assert.equal(small.status, 500);
      assert.deepEqual(small.body, UPLOAD_ERROR);
      const large = await upload(server, user.token, { filename: 'b.mp4', type: 'video/mp4', size: 12 * MiB });
      assert.equal(large.status, 500, 'a multipart upload (initiate refused) fails the same way');
      assert.deepEqual(large.body, UPLOAD_ERROR);
      const profile = await upload(server, user.token, { field: 'profileImage', filename: 'me.png', type: 'image/png', size: 1000 },
        '/api/users/profile-image');
      assert.equal(profile.status, 500);
      assert.deepEqual(profile.body, PROFILE_ERROR);
      const log = server.logs().stdout;
      assert.match(log, /upload failed: .*HTTP 403 SignatureDoesNotMatch/, log);
      await assertAlive(server);
      assert.deepEqual(s3.objects(), []);
      assert.deepEqual(s3.uploads(), []);
    } finally {
      await server.stop();
    }
    // The same upload with the right secret is stored: the refusal above was the signature.
    const good = await startOn(s3);
    try {
      const user = await registerUser(api(good));
      const r = await upload(good, user.token, { filename: 'a.pdf', type: 'application/pdf', size: 1000 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(s3.objects(), [r.body.file.filename]);
    } finally {
      await good.stop();
    }
  });

  test('the endpoint going away mid-upload leaves no object; the server stays up and recovers', async (t) => {
    const server = await startOn(s3, { args: ['--s3-attempts', '2', '--s3-connect-timeout-ms', '2000'] });
    try {
      const user = await registerUser(api(server));
      const objectsBefore = s3.objects();
      const uploadsBefore = s3.uploads().map((u) => u.uploadId);
      const { body, contentType } = multipart({ filename: 'big.mp4', type: 'video/mp4', size: 40 * MiB });
      const req = http.request({
        host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/files/upload',
        headers: { 'x-auth-token': user.token, 'content-type': contentType, 'content-length': body.length },
      });
      const answer = new Promise((resolve) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
        });
        req.on('error', (err) => resolve({ error: err.code || err.message }));
      });
      req.write(body.subarray(0, 12 * MiB));
      // Wait until the first part is stored, then take the endpoint away.
      let started = [];
      for (let i = 0; i < 200 && started.length === 0; i += 1) {
        await sleep(25);
        started = s3.uploads().filter((u) => u.parts > 0 && !uploadsBefore.includes(u.uploadId));
      }
      assert.equal(started.length, 1, 'a multipart upload is under way');
      await s3.kill();
      req.end(body.subarray(12 * MiB));
      const r = await answer;
      t.diagnostic(`the uploader saw ${JSON.stringify(r)}`);
      if (r.error === undefined) {
        assert.equal(r.status, 500);
        assert.deepEqual(r.body, UPLOAD_ERROR);
      } // else the server answered and closed while the body was still being sent: also fine
      assert.deepEqual(s3.objects(), objectsBefore, 'no object is left behind');
      await assertAlive(server);
      assert.match(server.logs().stdout, /upload failed: /);

      // While the endpoint is down an upload fails at once with the contract's error ...
      const t0 = Date.now();
      const down = await upload(server, user.token, { filename: 'c.pdf', type: 'application/pdf', size: 1000 });
      assert.equal(down.status, 500);
      assert.deepEqual(down.body, UPLOAD_ERROR);
      assert.ok(Date.now() - t0 < 10000, 'bounded retries, not a hang');
      // ... and once it is back, uploads work again without a server restart.
      await s3.restart();
      const back = await upload(server, user.token, { filename: 'd.pdf', type: 'application/pdf', size: 1000 });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.deepEqual(s3.objects(), [...objectsBefore, back.body.file.filename].sort());
    } finally {
      await server.stop();
      if (!s3.running) await s3.restart(); // for the next test, whatever happened here
    }
  });

  test('uploads after the storage closed idle kept-alive connections still work', async () => {
    const server = await startOn(s3);
    try {
      const user = await registerUser(api(server));
      for (const size of [12 * MiB, 1000]) {
        assert.equal((await upload(server, user.token, { filename: 'a.mp4', type: 'video/mp4', size })).status, 200);
      }
      await sleep(6000); // s3rver (Node's http server) closes idle connections after 5 s
      for (const size of [12 * MiB, 1000]) {
        const r = await upload(server, user.token, { filename: 'b.mp4', type: 'video/mp4', size });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    } finally {
      await server.stop();
    }
  });

  test('a part refused with 503 is retried (bounded); with one attempt the upload fails', async () => {
    // A proxy in front of s3rver that answers the first `refuse` part uploads with 503 SlowDown.
    // Headers (Host included, which is signed) pass through unchanged.
    let refuse = 0;
    let refused = 0;
    const proxy = http.createServer((req, res) => {
      if (req.method === 'PUT' && req.url.includes('partNumber=') && refused < refuse) {
        refused += 1;
        req.resume();
        req.on('end', () => {
          res.writeHead(503, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
        });
        return;
      }
      const up = http.request({ host: '127.0.0.1', port: s3.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${proxy.address().port}`;
    const args = (attempts) => ['--blob-store', 's3', '--s3-endpoint', endpoint, '--s3-bucket', s3.bucket, '--s3-attempts', String(attempts)];
    const saved = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
    process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_KEY;
    const servers = [];
    try {
      servers.push(await startServer({ args: args(3) }));
      servers.push(await startServer({ args: args(1) }));
      const [patient, impatient] = servers;
      const user = await registerUser(api(patient));
      refuse = 2;
      const ok = await upload(patient, user.token, { filename: 'r.mp4', type: 'video/mp4', size: 12 * MiB });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(refused, 2, 'two refusals, then the part went through');
      assert.equal(s3.size(ok.body.file.filename), 12 * MiB);

      const other = await registerUser(api(impatient));
      refuse = 3;
      refused = 2;
      const before = s3.objects();
      const failed = await upload(impatient, other.token, { filename: 's.mp4', type: 'video/mp4', size: 12 * MiB });
      assert.equal(failed.status, 500);
      assert.deepEqual(failed.body, UPLOAD_ERROR);
      assert.equal(refused, 3, 'one attempt only');
      assert.match(impatient.logs().stdout, /HTTP 503 SlowDown/);
      assert.deepEqual(s3.objects(), before);
    } finally {
      for (const srv of servers) await srv.stop();
      await new Promise((r) => proxy.close(r));
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved[0]], ['AWS_SECRET_ACCESS_KEY', saved[1]]]) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    }
  });

  // Under ASan (make sanitize) freed blocks stay resident in its quarantine, so RSS says nothing
  // about buffering there: this runs on the Release build in make test.
  const sanitized = process.env.PARLEY_SANITIZED === '1' && 'RSS is not meaningful under ASan';
  test('a 50 MiB upload keeps the peak RSS flat (one part in memory, not the file)', { skip: sanitized }, async (t) => {
    const server = await startOn(s3);
    try {
      const user = await registerUser(api(server));
      // Warm up: a multipart upload once, so lasting allocations (curl, parser) exist already.
      assert.equal((await upload(server, user.token, { filename: 'w.mp4', type: 'video/mp4', size: 9 * MiB })).status, 200);
      writeFileSync(`/proc/${server.pid}/clear_refs`, '5'); // reset VmHWM to the current RSS
      const before = vmHwmKiB(server.pid);
      const r = await upload(server, user.token, { filename: 'clip.mp4', type: 'video/mp4', size: 50 * MiB });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(s3.size(r.body.file.filename), 50 * MiB);
      const growthMiB = (vmHwmKiB(server.pid) - before) / 1024;
      t.diagnostic(`VmHWM ${(before / 1024).toFixed(1)} MiB before, grew by ${growthMiB.toFixed(1)} MiB`);
      // Buffering the upload whole would add 50 MiB; one 8 MiB part plus I/O buffers stays far below.
      assert.ok(growthMiB < 25, `peak RSS grew by ${growthMiB.toFixed(1)} MiB during a 50 MiB upload`);
    } finally {
      await server.stop();
    }
  });
});
