// Checks a parley-load --record-acks file against the server's history: every message its sender
// saw echoed is stored, every acknowledged read receipt is in the message's readers, every
// acknowledged reaction in its reactions. For each room one of its recorded users logs in, joins
// over Socket.IO and pages fetchPreviousMessages back to the start.
// Library: verifyAcks(url, file, password) → {checked, missing: [...]}.
// CLI:     node tests/compat/verify-acks.mjs URL FILE [PASSWORD]   (exit 1 when anything is missing)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

export function readAcks(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function once(socket, event, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.off(event, on); reject(new Error(`no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (data) => { clearTimeout(timer); resolve(data); };
    socket.once(event, on);
  });
}

async function history(url, email, password, roomId) {
  const r = await fetch(new URL('/api/auth/login', url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const body = await r.json();
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(body)}`);
  const socket = io(url, { auth: { token: body.token, sessionId: body.sessionId }, transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await once(socket, 'connect');
    socket.emit('joinRoom', roomId);
    await once(socket, 'joinRoomSuccess');
    const byId = new Map();
    let before = Date.now() + 60000;
    for (let page = 0; page < 10000; page += 1) {
      socket.emit('fetchPreviousMessages', { roomId, limit: 100, before });
      const got = await once(socket, 'previousMessagesLoaded');
      for (const m of got.messages) byId.set(m._id, m);
      if (!got.hasMore || got.messages.length === 0) break;
      before = got.messages[0].timestamp;
    }
    return byId;
  } finally {
    socket.disconnect();
  }
}

export async function verifyAcks(url, file, password = 'Load1234!') {
  const acks = readAcks(file);
  const rooms = new Map();
  for (const a of acks) {
    if (!rooms.has(a.room)) rooms.set(a.room, []);
    rooms.get(a.room).push(a);
  }
  const missing = [];
  for (const [roomId, list] of rooms) {
    const messages = await history(url, list[0].email, password, roomId);
    for (const a of list) {
      const m = messages.get(a.id);
      if (!m) { missing.push({ ...a, why: 'message not in history' }); continue; }
      if (a.kind === 'read' && !(m.readers || []).some((r) => r.userId === a.user)) missing.push({ ...a, why: 'reader missing' });
      if (a.kind === 'reaction' && !((m.reactions || {})[a.reaction] || []).includes(a.user)) missing.push({ ...a, why: 'reaction missing' });
    }
  }
  return { checked: acks.length, rooms: rooms.size, missing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, file, password] = process.argv.slice(2);
  const r = await verifyAcks(url, file, password);
  console.log(JSON.stringify({ checked: r.checked, rooms: r.rooms, missing: r.missing.length }));
  for (const m of r.missing.slice(0, 20)) console.log(JSON.stringify(m));
  process.exit(r.missing.length ? 1 : 0);
}
