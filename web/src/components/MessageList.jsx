// The scrolling message history. Keeps the reader's place: prepending older messages keeps the
// visible messages still, new messages follow the bottom only when the reader is at the bottom.
// Reports messages that are at least half visible (for read receipts) and asks for older history
// when the top comes near.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import MessageItem from './MessageItem.jsx';
import { idOf } from '../lib/messages.js';

const NEAR_BOTTOM = 80;
const GROUP_MS = 5 * 60 * 1000;

function sameGroup(prev, m) {
  if (!prev || prev.type === 'system' || m.type === 'system') return false;
  if (prev.type === 'ai' || m.type === 'ai') return prev.type === m.type && prev.aiType === m.aiType && m.timestamp - prev.timestamp < GROUP_MS;
  return idOf(prev.sender) === idOf(m.sender) && m.timestamp - prev.timestamp < GROUP_MS;
}

export default function MessageList({
  messages, me, participants, hasMore, loadingOlder, historyError, ready,
  onLoadOlder, onVisible, onReact,
}) {
  const boxRef = useRef(null);
  const topRef = useRef(null);
  const anchor = useRef({ top: 0, height: 0, nearBottom: true, first: null, last: null, firstBottom: null });
  const topVisible = useRef(false);
  const initialDone = useRef(false);
  const [newBelow, setNewBelow] = useState(0);

  // Where the bottom edge of the oldest shown message is, in scroll-content coordinates.
  const bottomOf = useCallback((id) => {
    const el = boxRef.current;
    const node = id && el ? el.querySelector(`[data-message-id="${CSS.escape(id)}"]`) : null;
    if (!node) return null;
    return node.getBoundingClientRect().bottom - el.getBoundingClientRect().top + el.scrollTop;
  }, []);

  const remember = useCallback(() => {
    const el = boxRef.current;
    if (!el) return;
    const a = anchor.current;
    a.top = el.scrollTop;
    a.height = el.scrollHeight;
    a.firstBottom = bottomOf(a.first);
    a.nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM;
    if (a.nearBottom) setNewBelow(0);
  }, []);

  const toBottom = useCallback(() => {
    const el = boxRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  // Runs after every change to the list, before paint.
  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const a = anchor.current;
    const first = messages[0]?._id ?? null;
    const lastMsg = messages[messages.length - 1];
    const last = lastMsg?._id ?? null;
    if (!initialDone.current) {
      if (messages.length > 0 && ready) {
        toBottom();
        initialDone.current = true;
      }
    } else if (first !== a.first && last === a.last) {
      // Older messages went on top: keep the previously oldest message where it was (by its bottom
      // edge, since it may lose its sender header when it joins the group above it).
      const now = bottomOf(a.first);
      el.scrollTop = a.top + (now != null && a.firstBottom != null ? now - a.firstBottom : el.scrollHeight - a.height);
    } else if (a.nearBottom || (last !== a.last && idOf(lastMsg?.sender) === me)) {
      toBottom();
    } else if (last !== a.last) {
      setNewBelow((n) => n + 1);
    }
    a.first = first;
    a.last = last;
    remember();
  }, [messages, ready, me, toBottom, remember, bottomOf]);

  // Stay at the bottom when the box changes size (keyboard on phones, window resize).
  useEffect(() => {
    const el = boxRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const ro = new ResizeObserver(() => {
      if (anchor.current.nearBottom) toBottom();
      remember();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [toBottom, remember]);


  // Older history when the top is near.
  useEffect(() => {
    const el = boxRef.current;
    const top = topRef.current;
    if (!el || !top) return undefined;
    const io = new IntersectionObserver((entries) => {
      topVisible.current = entries[entries.length - 1].isIntersecting;
      if (topVisible.current && initialDone.current) onLoadOlder();
    }, { root: el, rootMargin: '400px 0px 0px 0px' });
    io.observe(top);
    return () => io.disconnect();
  }, [onLoadOlder]);

  // After a page of history lands, keep going while the top is still in view.
  useEffect(() => {
    if (!loadingOlder && hasMore && topVisible.current && initialDone.current && !historyError) {
      const t = setTimeout(onLoadOlder, 50);
      return () => clearTimeout(t);
    }
    return undefined;
  }, [loadingOlder, hasMore, historyError, messages.length, onLoadOlder]);

  // Read receipts: messages at least half visible (or filling half the box when taller).
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return undefined;
    const io = new IntersectionObserver((entries) => {
      if (document.visibilityState === 'hidden') return;
      const ids = [];
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const rootH = e.rootBounds ? e.rootBounds.height : el.clientHeight;
        if (e.intersectionRatio >= 0.5 || e.intersectionRect.height >= rootH * 0.5) {
          const id = e.target.getAttribute('data-needs-read');
          if (id) ids.push(id);
        }
      }
      if (ids.length) onVisible(ids);
    }, { root: el, threshold: [0, 0.25, 0.5, 0.75, 1] });
    const observeAll = () => el.querySelectorAll('[data-needs-read]').forEach((n) => io.observe(n));
    observeAll();
    const mo = new MutationObserver(observeAll);
    mo.observe(el, { childList: true, subtree: true });
    const onVis = () => {
      if (document.visibilityState === 'visible') {
        io.disconnect();
        observeAll();
      }
    };
    document.addEventListener('visibilitychange', onVis);
    return () => {
      io.disconnect();
      mo.disconnect();
      document.removeEventListener('visibilitychange', onVis);
    };
  }, [onVisible]);

  return (
    <div className="messages-wrap">
      <div
        className="messages"
        ref={boxRef}
        onScroll={remember}
        data-testid="message-list"
        tabIndex={0}
        role="log"
        aria-label="Messages"
        aria-busy={loadingOlder || !ready}
      >
        <div ref={topRef} className="history-top">
          {!ready && <p role="status" data-testid="room-joining">Joining the room…</p>}
          {ready && !hasMore && !historyError && (
            <p className="history-end" data-testid="history-end">✦ This is the beginning of the conversation ✦</p>
          )}
          {loadingOlder && <p className="history-loading" role="status" data-testid="history-loading">Loading earlier messages…</p>}
          {historyError && (
            <p className="history-error" role="alert">
              {historyError} <button type="button" className="link-button" onClick={onLoadOlder}>Try again</button>
            </p>
          )}
          {ready && hasMore && !loadingOlder && !historyError && (
            <button type="button" className="link-button history-more" onClick={onLoadOlder} data-testid="history-more">
              Load earlier messages
            </button>
          )}
        </div>
        <ol className="message-items">
          {messages.map((m, i) => (
            <MessageItem
              key={m._id}
              m={m}
              me={me}
              participants={participants}
              grouped={sameGroup(messages[i - 1], m)}
              onReact={onReact}
            />
          ))}
        </ol>
      </div>
      {newBelow > 0 && (
        <button type="button" className="new-below" onClick={() => { toBottom(); setNewBelow(0); }} data-testid="new-messages-button">
          ↓ {newBelow} new message{newBelow === 1 ? '' : 's'}
        </button>
      )}
    </div>
  );
}
