// Unit tests for the pure helpers (node --test; no browser needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import { formatSize, initials, previewKind, splitCodeBlocks } from '../src/lib/format.js';
import {
  mergeMessages, oldestTimestamp, applyRead, readStatus, needsRead, toggleReaction,
  mentionAt, mentionSuggestions, insertMention, aiStart, aiChunk, aiComplete, aiError,
} from '../src/lib/messages.js';

test('formatSize matches the original UI', () => {
  assert.equal(formatSize(542), '542 B');
  assert.equal(formatSize(1023585), '999.59 KB');
  assert.equal(formatSize(5 * 1024 * 1024), '5 MB');
  assert.equal(formatSize(0), '0 B');
});

test('initials and preview kinds', () => {
  assert.equal(initials('Kim Minsu'), 'KM');
  assert.equal(initials('테스터'), '테스');
  assert.equal(previewKind('image/png'), 'image');
  assert.equal(previewKind('application/pdf'), 'pdf');
  assert.equal(previewKind('video/quicktime'), 'other');
  assert.equal(previewKind('audio/wav'), 'audio');
});

test('splitCodeBlocks', () => {
  assert.deepEqual(splitCodeBlocks('a ```js\nx=1\n```\nb'), [
    { code: false, text: 'a ' }, { code: true, text: 'x=1' }, { code: false, text: 'b' },
  ]);
  assert.deepEqual(splitCodeBlocks('open ```py\nprint(1)'), [
    { code: false, text: 'open ' }, { code: true, text: 'print(1)' },
  ]);
});

const msg = (id, ts, extra = {}) => ({ _id: id, timestamp: ts, type: 'text', content: id, readers: [], ...extra });

test('mergeMessages dedups and sorts; oldestTimestamp skips local placeholders', () => {
  let list = mergeMessages([], [msg('b', 2), msg('a', 1)]);
  list = mergeMessages(list, [msg('c', 3), msg('a', 1, { content: 'A' })]);
  assert.deepEqual(list.map((m) => m._id), ['a', 'b', 'c']);
  assert.equal(list[0].content, 'A');
  assert.equal(oldestTimestamp(list), 1);
  assert.equal(oldestTimestamp([{ _id: 'x', timestamp: 0, local: true }, msg('d', 5)]), 5);
  // a live copy without readers keeps the known readers
  const withReaders = mergeMessages([msg('r', 1, { readers: [{ userId: 'u1' }] })], [{ _id: 'r', timestamp: 1 }]);
  assert.deepEqual(withReaders[0].readers, [{ userId: 'u1' }]);
});

test('read receipts', () => {
  const parts = [{ _id: 'u1', id: 'u1' }, { id: 'u2' }];
  let list = [msg('m1', 1), msg('m2', 2), msg('s', 3, { type: 'system' })];
  assert.equal(needsRead(list[0], 'u1'), true);
  assert.equal(needsRead(list[2], 'u1'), false);
  list = applyRead(list, 'u1', ['m1']);
  assert.equal(needsRead(list[0], 'u1'), false);
  assert.deepEqual(readStatus(list[0], parts), { count: 1, total: 2, allRead: false });
  list = applyRead(list, 'u2', ['m1', 'm2']);
  assert.deepEqual(readStatus(list[0], parts), { count: 2, total: 2, allRead: true });
  assert.equal(readStatus(list[1], parts).allRead, false);
  const same = applyRead(list, 'u2', ['m1']);
  assert.equal(same, list, 'no change keeps identity');
});

test('reactions and mentions', () => {
  assert.equal(toggleReaction({ '👍': ['u1'] }, '👍', 'u1'), 'remove');
  assert.equal(toggleReaction({}, '👍', 'u1'), 'add');
  assert.deepEqual(mentionAt('hi @way', 7), { start: 3, query: 'way' });
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.equal(mentionAt('mail a@b', 8), null);
  assert.deepEqual(mentionSuggestions('c'), ['consultingAI']);
  assert.deepEqual(mentionSuggestions(''), ['wayneAI', 'consultingAI']);
  assert.deepEqual(insertMention('hi @wa there', 3, 6, 'wayneAI'), { text: 'hi @wayneAI  there', caret: 12 });
});

test('AI streaming lifecycle', () => {
  let list = [msg('m1', 1)];
  list = aiStart(list, { messageId: 'wayneAI-10', aiType: 'wayneAI', timestamp: 10 });
  list = aiChunk(list, { messageId: 'wayneAI-10', fullContent: 'Hel' });
  list = aiChunk(list, { messageId: 'wayneAI-10', fullContent: 'Hello' });
  assert.equal(list[1].content, 'Hello');
  assert.equal(list[1].streaming, true);
  list = aiComplete(list, { _id: 'f'.repeat(24), content: 'Hello!', aiType: 'wayneAI', timestamp: 10 });
  assert.deepEqual(list.map((m) => m._id), ['m1', 'f'.repeat(24)]);
  assert.equal(list[1].content, 'Hello!');
  assert.ok(!list[1].streaming && !list[1].local);
  list = aiStart(list, { messageId: 'consultingAI-11', aiType: 'consultingAI', timestamp: 11 });
  list = aiError(list, { messageId: 'consultingAI-11', error: 'no key' });
  assert.equal(list[2].error, 'no key');
  assert.equal(list[2].streaming, false);
});
