// Pure message-list logic (no DOM, no React): merging, read receipts, reactions, mentions.

export const AI_NAMES = ['wayneAI', 'consultingAI'];
export const AI_LABELS = { wayneAI: 'Wayne AI', consultingAI: 'Consulting AI' };

export const idOf = (u) => (u ? u._id || u.id : undefined);

// Merge `incoming` into `list` (by _id, newer copy wins), sorted by timestamp then _id.
export function mergeMessages(list, incoming) {
  if (!incoming || incoming.length === 0) return list;
  const byId = new Map(list.map((m) => [m._id, m]));
  for (const m of incoming) {
    if (!m || !m._id) continue;
    const old = byId.get(m._id);
    byId.set(m._id, old ? { ...old, ...m, readers: m.readers ?? old.readers } : m);
  }
  return [...byId.values()].sort((a, b) => (a.timestamp - b.timestamp) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

// Oldest timestamp among stored messages (not streaming placeholders): the next `before`.
export function oldestTimestamp(list) {
  for (const m of list) if (!m.local && typeof m.timestamp === 'number') return m.timestamp;
  return undefined;
}

export function readerIds(m) {
  return new Set((m.readers || []).map((r) => (typeof r === 'string' ? r : r.userId)));
}

// Apply a `messagesRead {userId, messageIds}` event.
export function applyRead(list, userId, messageIds) {
  const ids = new Set(messageIds || []);
  let changed = false;
  const out = list.map((m) => {
    if (!ids.has(m._id) || readerIds(m).has(userId)) return m;
    changed = true;
    return { ...m, readers: [...(m.readers || []), { userId, readAt: Date.now() }] };
  });
  return changed ? out : list;
}

// {count, total, allRead} over the room's current participants.
export function readStatus(m, participants) {
  const readers = readerIds(m);
  const ids = (participants || []).map(idOf).filter(Boolean);
  const count = ids.filter((id) => readers.has(id)).length;
  return { count, total: ids.length, allRead: ids.length > 0 && count === ids.length };
}

// Messages that `userId` should mark read: stored, not system, not already read by them.
export function needsRead(m, userId) {
  return m && m._id && !m.local && m.type !== 'system' && !readerIds(m).has(userId);
}

export function toggleReaction(reactions, emoji, userId) {
  const users = (reactions && reactions[emoji]) || [];
  return users.includes(userId) ? 'remove' : 'add';
}

// The `@word` being typed at `caret`, or null: {start, query}.
export function mentionAt(text, caret) {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([A-Za-z]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

export function mentionSuggestions(query) {
  const q = (query || '').toLowerCase();
  return AI_NAMES.filter((n) => n.toLowerCase().startsWith(q));
}

// Replace the `@query` at `start` with `@name `; returns {text, caret}.
export function insertMention(text, start, caret, name) {
  const insert = `@${name} `;
  return { text: text.slice(0, start) + insert + text.slice(caret), caret: start + insert.length };
}

// Live AI streams: apply aiMessageStart/Chunk/Complete/Error to the list.
export function aiStart(list, { messageId, aiType, timestamp }) {
  if (list.some((m) => m._id === messageId)) return list;
  return [...list, { _id: messageId, type: 'ai', aiType, content: '', timestamp: timestamp || Date.now(), streaming: true, local: true, reactions: {}, readers: [] }];
}

export function aiChunk(list, { messageId, fullContent, currentChunk }) {
  return list.map((m) => (m._id === messageId
    ? { ...m, content: fullContent ?? (m.content + (currentChunk || '')) }
    : m));
}

export function aiComplete(list, data) {
  const match = (m) => m.streaming && (data.messageId ? m._id === data.messageId : m.aiType === data.aiType);
  const idx = list.findIndex(match);
  const done = {
    _id: data._id || data.messageId,
    type: 'ai',
    aiType: data.aiType,
    content: data.content ?? (idx >= 0 ? list[idx].content : ''),
    timestamp: data.timestamp || (idx >= 0 ? list[idx].timestamp : Date.now()),
    reactions: data.reactions || {},
    readers: [],
  };
  const rest = idx >= 0 ? list.filter((_, i) => i !== idx) : list;
  return mergeMessages(rest, [done]);
}

export function aiError(list, { messageId, error, aiType }) {
  const text = error || 'AI 응답 생성 중 오류가 발생했습니다.';
  if (!list.some((m) => m._id === messageId)) {
    return [...list, { _id: messageId, type: 'ai', aiType, content: '', error: text, local: true, timestamp: Date.now(), reactions: {}, readers: [] }];
  }
  return list.map((m) => (m._id === messageId ? { ...m, streaming: false, error: text } : m));
}
