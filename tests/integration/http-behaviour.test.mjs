// Contract §0 (CORS, envelope, unknown routes), §2.5 (health, misc) and HTTP robustness:
// malformed bodies, limits (413/431), keep-alive + pipelining, slow clients.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, registerUser, createRoom, sleep,
  assertError, assertEnvelope, assertIsoNear, UNAUTHORIZED,
} from '../lib/server.mjs';
import { rawConnect, rawExchange } from '../lib/rawhttp.mjs';

const T = { timeout: 20000 };
const ORIGIN = 'http://localhost:3000';
const NOT_FOUND_MSG = '요청하신 리소스를 찾을 수 없습니다.';

const headerList = (v) => (v || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

async function assertHealthy(a) {
  const r = await a.get('/api/health');
  assert.equal(r.status, 200, 'server still answers /api/health');
  assert.equal(r.body.status, 'ok');
}

function assertCorsEcho(res, origin = ORIGIN) {
  assert.equal(res.headers.get('access-control-allow-origin'), origin, 'Access-Control-Allow-Origin echoes Origin');
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
}

describe('HTTP behaviour', () => {
  let srv; let a; let u;
  before(async () => {
    srv = await startServer({ args: ['--max-body-bytes', '65536', '--max-header-bytes', '8192'] });
    a = api(srv);
    u = await registerUser(a);
  });
  after(async () => { await srv?.stop(); });

  describe('health and misc (§2.5)', () => {
    test('GET /api/health → 200 {status:"ok", timestamp, env}', T, async () => {
      const r = await a.get('/api/health');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') || '', /application\/json/);
      // a node of a cluster (--storage redis) adds "node" and "cluster" (docs/CLUSTER.md)
      const clustered = 'cluster' in r.body;
      assert.deepEqual(Object.keys(r.body).sort(),
        clustered ? ['cluster', 'env', 'node', 'status', 'timestamp'] : ['env', 'status', 'timestamp']);
      if (clustered) assert.deepEqual(r.body.cluster, { connected: true });
      assert.equal(r.body.status, 'ok');
      assertIsoNear(r.body.timestamp);
      assert.ok(r.body.env === null || typeof r.body.env === 'string', `env: ${JSON.stringify(r.body.env)}`);
    });

    test('public endpoints ignore bad tokens', T, async () => {
      for (const via of ['x-auth-token', 'query', 'bearer']) {
        const r = await a.get('/api/health', { token: 'garbage-token', tokenVia: via });
        assert.equal(r.status, 200, via);
        assert.equal(r.body.status, 'ok');
      }
      assert.equal((await a.get('/api', { token: 'garbage-token' })).status, 200);
      assert.equal((await a.get('/api/rooms/health', { token: 'garbage-token' })).status, 200);
    });

    test('GET /api → {name:"Chat App API", version:"1.0.0", timestamp, endpoints}', T, async () => {
      const r = await a.get('/api');
      assert.equal(r.status, 200);
      assert.equal(r.body.name, 'Chat App API');
      assert.equal(r.body.version, '1.0.0');
      assertIsoNear(r.body.timestamp);
      assert.equal(typeof r.body.endpoints, 'object');
      assert.ok(r.body.endpoints !== null);
    });

    test('GET /api/message/rooms/:roomId/messages → 500 미구현.', T, async () => {
      assertError(await a.get('/api/message/rooms/x/messages', { token: u.token }), 500, '미구현.');
      const room = await createRoom(a, u);
      assertError(await a.get(`/api/message/rooms/${room._id}/messages`, { token: u.token }), 500, '미구현.');
    });

    test('GET /api/message/... requires auth', T, async () => {
      const r = await a.get('/api/message/rooms/x/messages');
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED);
    });
  });

  // The server may also serve the web client for GET of non-API paths, so unknown routes are
  // probed under /api (with a valid token) and with non-GET methods elsewhere.
  describe('unknown routes', () => {
    test('404 envelope with path under /api (authenticated)', T, async () => {
      for (const [method, p] of [['GET', '/api/nope'], ['GET', '/api/rooms/abc/def/ghi'], ['GET', '/api/users/nothing-here'],
        ['POST', '/api/totally/unknown'], ['DELETE', '/api/nope/x']]) {
        const r = await a.request(method, p, method === 'POST' || method === 'PUT' ? {} : undefined, { token: u.token });
        assert.equal(r.status, 404, `${method} ${p}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body, { success: false, message: NOT_FOUND_MSG, path: p });
      }
    });

    test('404 envelope with path for non-GET requests outside /api', T, async () => {
      for (const [method, p] of [['POST', '/totally/unknown/path'], ['DELETE', '/x'], ['PUT', '/static/thing.js']]) {
        const r = await a.request(method, p, method === 'DELETE' ? undefined : {});
        assert.equal(r.status, 404, `${method} ${p}`);
        assert.deepEqual(r.body, { success: false, message: NOT_FOUND_MSG, path: p });
      }
    });

    test('path excludes the query string', T, async () => {
      const r = await a.get('/api/nope?x=1&y=2', { token: u.token });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { success: false, message: NOT_FOUND_MSG, path: '/api/nope' });
    });

    test('Korean / percent-encoded / NUL path is answered (no crash)', T, async () => {
      const r = await a.get('/api/%ED%95%9C%EA%B8%80/%00/..%2F..%2Fetc', { token: u.token });
      assertEnvelope(r, [400, 404]);
      await assertHealthy(a);
    });
  });

  describe('CORS (§0)', () => {
    test('preflight OPTIONS without auth: echo Origin, credentials, methods, headers, max-age', T, async () => {
      const requested = ['content-type', 'authorization', 'x-auth-token', 'x-session-id', 'cache-control', 'pragma'];
      for (const p of ['/api/rooms', '/api/auth/login', '/api/users/profile', '/socket.io/']) {
        const r = await a.options(p, {
          headers: {
            Origin: ORIGIN,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': requested.join(','),
          },
        });
        assert.ok(r.status === 200 || r.status === 204, `${p}: preflight status ${r.status}`);
        assertCorsEcho(r);
        const methods = headerList(r.headers.get('access-control-allow-methods'));
        for (const m of ['get', 'post', 'put', 'delete', 'options', 'head']) assert.ok(methods.includes(m), `${p}: method ${m} in ${methods}`);
        const allowed = headerList(r.headers.get('access-control-allow-headers'));
        for (const h of requested) assert.ok(allowed.includes(h), `${p}: allowed headers ${allowed} ⊇ ${h}`);
        assert.equal(r.headers.get('access-control-max-age'), '3600');
      }
    });

    test('preflight for PUT /api/users/profile from another origin echoes that origin', T, async () => {
      const other = 'http://chat.example.test:8080';
      const r = await a.options('/api/users/profile', {
        headers: { Origin: other, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-auth-token, content-type' },
      });
      assert.ok(r.status === 200 || r.status === 204);
      assertCorsEcho(r, other);
      const allowed = headerList(r.headers.get('access-control-allow-headers'));
      assert.ok(allowed.includes('x-auth-token') && allowed.includes('content-type'));
    });

    test('normal responses echo Origin, allow credentials and expose x-auth-token, x-session-id', T, async () => {
      const other = await registerUser(a);
      const responses = [
        await a.get('/api/health', { headers: { Origin: ORIGIN } }),
        await a.get('/api/users/profile', { token: u.token, headers: { Origin: ORIGIN } }),
        await a.post('/api/auth/login', { email: other.email, password: other.password }, { headers: { Origin: ORIGIN } }),
      ];
      for (const r of responses) {
        assert.equal(r.status, 200);
        assertCorsEcho(r);
        const exposed = headerList(r.headers.get('access-control-expose-headers'));
        assert.ok(exposed.includes('x-auth-token'), `expose ${exposed}`);
        assert.ok(exposed.includes('x-session-id'), `expose ${exposed}`);
      }
    });

    test('error responses (401, 404, 400) carry CORS headers too', T, async () => {
      const r401 = await a.get('/api/users/profile', { headers: { Origin: ORIGIN } });
      assert.equal(r401.status, 401);
      assertCorsEcho(r401);
      const r404 = await a.get('/api/nope', { token: u.token, headers: { Origin: ORIGIN } });
      assert.equal(r404.status, 404);
      assertCorsEcho(r404);
      const r400 = await a.post('/api/auth/login', { email: 'bad' }, { headers: { Origin: ORIGIN } });
      assert.equal(r400.status, 400);
      assertCorsEcho(r400);
    });

    test('Access-Control-Allow-Origin is never *', T, async () => {
      const r = await a.get('/api/health', { headers: { Origin: 'http://x.test' } });
      assert.notEqual(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('access-control-allow-origin'), 'http://x.test');
    });
  });

  describe('bad request bodies (envelope, no crash)', () => {
    test('malformed JSON → 400 envelope', T, async () => {
      const json = { 'Content-Type': 'application/json' };
      for (const [p, opts] of [
        ['/api/auth/register', { rawBody: '{"name": "x",', headers: json }],
        ['/api/auth/login', { rawBody: '{email: bad}', headers: json }],
        ['/api/rooms', { rawBody: '{"name": "abc"', headers: json, token: u.token }],
        ['/api/auth/login', { rawBody: '\u0000\u0001garbage', headers: json }],
      ]) {
        const r = await a.request('POST', p, undefined, opts);
        assertEnvelope(r, 400);
      }
      await assertHealthy(a);
    });

    test('body that is an array, a string, a number or null → 400 envelope', T, async () => {
      for (const raw of ['[1,2]', '[]', '"hello"', '42', 'null']) {
        assertEnvelope(await a.post('/api/auth/login', undefined, { rawBody: raw, headers: { 'Content-Type': 'application/json' } }), 400);
        assertEnvelope(await a.post('/api/auth/register', undefined, { rawBody: raw, headers: { 'Content-Type': 'application/json' } }), 400);
        assertEnvelope(await a.post('/api/rooms', undefined, { rawBody: raw, token: u.token, headers: { 'Content-Type': 'application/json' } }), 400);
      }
      await assertHealthy(a);
    });

    test('fields of the wrong JSON type (object / array) → 400 envelope', T, async () => {
      assertEnvelope(await a.post('/api/auth/register', { name: { first: 'Kim' }, email: 'typed@example.com', password: 'secret123' }), 400);
      assertEnvelope(await a.post('/api/auth/login', { email: ['a@b.co'], password: 'secret123' }), 400);
      assertEnvelope(await a.post('/api/rooms', { name: ['Room', 'Two'] }, { token: u.token }), 400);
      assertEnvelope(await a.post('/api/rooms', { name: { x: 1 } }, { token: u.token }), 400);
      assertEnvelope(await a.put('/api/users/profile', { name: { x: 1 } }, { token: u.token }), 400);
      await assertHealthy(a);
    });

    test('a number where a string is expected: either coerced (201) or a 400 envelope', T, async () => {
      const r = await a.post('/api/rooms', { name: 123 }, { token: u.token });
      if (r.status === 201) assert.equal(r.body.data.name, '123');
      else assertEnvelope(r, 400);
      await assertHealthy(a);
    });

    test('body larger than --max-body-bytes → 413 envelope', T, async () => {
      const big = JSON.stringify({ name: 'Big Body', email: 'big@example.com', password: 'x'.repeat(70000) });
      const req = `POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(big)}\r\n\r\n${big}`;
      const { responses } = await rawExchange(srv.port, req, 1, 5000);
      assert.equal(responses.length, 1, 'got a response');
      assert.equal(responses[0].status, 413);
      assert.ok(responses[0].json, `413 body is JSON: ${responses[0].text.slice(0, 200)}`);
      assert.equal(responses[0].json.success, false);
      assert.equal(typeof responses[0].json.message, 'string');
      await assertHealthy(a);
    });

    test('a body just under the limit is processed normally', T, async () => {
      const name = `Limit ${'y'.repeat(60)}`; // valid room name well under 100 chars
      const pad = 'z'.repeat(60000);
      const r = await a.post('/api/rooms', { name: name.slice(0, 90), description: pad }, { token: u.token });
      assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
    });

    test('request headers larger than --max-header-bytes → 431', T, async () => {
      const req = `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(16000)}\r\n\r\n`;
      const { responses } = await rawExchange(srv.port, req, 1, 5000);
      assert.equal(responses.length, 1, 'got a response');
      assert.equal(responses[0].status, 431);
      if (responses[0].json !== undefined) {
        assert.equal(responses[0].json.success, false);
        assert.equal(typeof responses[0].json.message, 'string');
      }
      await assertHealthy(a);
    });

    test('garbage request line → 400 (or close), server survives', T, async () => {
      const c = await rawConnect(srv.port);
      try {
        await c.write('THIS IS NOT HTTP\r\n\r\n');
        const rs = await c.waitResponses(1, 3000);
        if (rs.length) assert.ok(rs[0].status >= 400 && rs[0].status < 500, `status ${rs[0].status}`);
        else assert.ok((await c.waitClose(3000)).closed, 'connection closed');
      } finally { c.close(); }
      await assertHealthy(a);
    });
  });

  describe('framing robustness', () => {
    const loginBody = () => JSON.stringify({ email: u.email, password: 'definitely-wrong' });

    test('a chunked (Transfer-Encoding) JSON body is accepted', T, async () => {
      const b = loginBody();
      const half = Math.floor(b.length / 2);
      const chunk = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
      const req = 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `${chunk(b.slice(0, half))}${chunk(b.slice(half))}0\r\n\r\n`;
      const { responses } = await rawExchange(srv.port, req, 1, 5000);
      assert.equal(responses[0]?.status, 401, 'parsed the body: wrong password → 401');
      assert.deepEqual(responses[0].json, { success: false, message: '이메일 또는 비밀번호가 올바르지 않습니다.' });
    });

    test('a chunked body larger than --max-body-bytes → 413', T, async () => {
      const piece = 'a'.repeat(16000);
      let req = 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      for (let i = 0; i < 6; i += 1) req += `${piece.length.toString(16)}\r\n${piece}\r\n`; // 96 000 B > 65 536 B
      req += '0\r\n\r\n';
      const { responses } = await rawExchange(srv.port, req, 1, 5000);
      assert.equal(responses[0]?.status, 413);
      await assertHealthy(a);
    });

    test('a body split over several writes (within the timeouts) is assembled', T, async () => {
      const b = loginBody();
      const c = await rawConnect(srv.port);
      try {
        await c.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n`);
        for (let i = 0; i < b.length; i += 7) { await c.write(b.slice(i, i + 7)); await sleep(5); }
        const rs = await c.waitResponses(1, 5000);
        assert.equal(rs[0]?.status, 401);
        assert.equal(rs[0].json.message, '이메일 또는 비밀번호가 올바르지 않습니다.');
      } finally { c.close(); }
    });

    test('an invalid Content-Length → 400 (or close); server survives', T, async () => {
      const c = await rawConnect(srv.port);
      try {
        await c.write('POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}');
        const rs = await c.waitResponses(1, 3000);
        if (rs.length) assert.equal(rs[0].status, 400);
        else assert.ok((await c.waitClose(3000)).closed);
      } finally { c.close(); }
      await assertHealthy(a);
    });

    test('a URL longer than --max-header-bytes → 414 or 431; server survives', T, async () => {
      const { responses } = await rawExchange(srv.port, `GET /api/health?pad=${'q'.repeat(12000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 1, 5000);
      assert.ok([414, 431].includes(responses[0]?.status), `status ${responses[0]?.status}`);
      await assertHealthy(a);
    });

    test('clients vanishing mid-headers and mid-body do not hurt the server', T, async () => {
      for (const partial of ['GET /api/hea', 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"email"']) {
        const c = await rawConnect(srv.port);
        await c.write(partial);
        c.socket.resetAndDestroy ? c.socket.resetAndDestroy() : c.close();
      }
      await sleep(100);
      await assertHealthy(a);
    });
  });

  describe('keep-alive and pipelining', () => {
    test('3 pipelined GET /api/health in one write → 3 responses in order, connection stays open', T, async () => {
      const c = await rawConnect(srv.port);
      try {
        const one = 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
        await c.write(one + one + one);
        const rs = await c.waitResponses(3, 5000);
        assert.equal(rs.length, 3, `3 responses (state: closed=${c.state.closed})`);
        for (const r of rs) {
          assert.equal(r.status, 200);
          assert.equal(r.json.status, 'ok');
        }
        assert.equal(c.state.closed, false, 'keep-alive: still open');
        await c.write(one);
        const rs4 = await c.waitResponses(4, 5000);
        assert.equal(rs4.length, 4);
        assert.equal(rs4[3].status, 200);
      } finally { c.close(); }
    });

    test('pipelined requests to different routes are answered in request order', T, async () => {
      const c = await rawConnect(srv.port);
      try {
        const get = (p, extra = '') => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
        const body = JSON.stringify({ email: 'bad' });
        const post = `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
        const tok = `x-auth-token: ${u.token}\r\n`;
        await c.write(get('/api/nope-a', tok) + get('/api/health') + post + get('/api/users/profile', tok) + get('/api/nope-b', tok));
        const rs = await c.waitResponses(5, 5000);
        assert.deepEqual(rs.map((r) => r.status), [404, 200, 400, 200, 404]);
        assert.equal(rs[0].json.path, '/api/nope-a');
        assert.equal(rs[2].json.code, 'VALIDATION_ERROR');
        assert.equal(rs[3].json.user.email, u.email);
        assert.equal(rs[4].json.path, '/api/nope-b');
      } finally { c.close(); }
    });

    test('Connection: close is honoured', T, async () => {
      const c = await rawConnect(srv.port);
      try {
        await c.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
        const rs = await c.waitResponses(1, 5000);
        assert.equal(rs[0]?.status, 200);
        const { closed } = await c.waitClose(3000);
        assert.ok(closed, 'server closes after Connection: close');
      } finally { c.close(); }
    });

    test('HTTP/1.0 request is answered', T, async () => {
      const { responses } = await rawExchange(srv.port, 'GET /api/health HTTP/1.0\r\n\r\n', 1, 5000);
      assert.equal(responses[0]?.status, 200);
      assert.equal(responses[0].json.status, 'ok');
    });
  });
});

describe('slow clients (--header-timeout-ms 500 --body-timeout-ms 500)', () => {
  let srv; let a;
  before(async () => {
    srv = await startServer({ args: ['--header-timeout-ms', '500', '--body-timeout-ms', '500'] });
    a = api(srv);
  });
  after(async () => { await srv?.stop(); });

  test('a client trickling its headers is closed after the header timeout', T, async () => {
    const c = await rawConnect(srv.port);
    try {
      await c.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let i = 0;
      const start = Date.now();
      while (!c.state.closed && Date.now() - start < 5000) {
        await sleep(100);
        await c.write(`X-Slow-${i}: ${i}\r\n`);
        i += 1;
      }
      assert.ok(c.state.closed, 'connection closed by the server');
      const { afterMs } = await c.waitClose(100);
      assert.ok(afterMs >= 300, `closed after ${afterMs} ms — not before the timeout`);
      assert.ok(afterMs <= 3000, `closed after ${afterMs} ms — within a bound of the 500 ms timeout`);
      for (const r of c.parser.done) assert.equal(r.status, 408, 'only a 408 may be sent');
    } finally { c.close(); }
    await assertHealthy(a);
  });

  test('a client that stalls in the body is closed after the body timeout', T, async () => {
    const c = await rawConnect(srv.port);
    try {
      await c.write('POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
      const { closed, afterMs } = await c.waitClose(4000);
      assert.ok(closed, 'connection closed by the server');
      assert.ok(afterMs <= 3500, `closed after ${afterMs} ms`);
      for (const r of c.parser.done) assert.ok(r.status === 408 || r.status === 400, `status ${r.status}`);
    } finally { c.close(); }
    await assertHealthy(a);
  });

  test('normal requests are unaffected', T, async () => {
    const u = await registerUser(a);
    const r = await a.get('/api/users/profile', { token: u.token });
    assert.equal(r.status, 200);
  });
});
