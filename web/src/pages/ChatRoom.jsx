// A chat room: REST room info, then the Socket.IO conversation (§3.6): joinRoom, history pages,
// live messages, read receipts, reactions, AI streams and file messages.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, upload as uploadFile } from '../lib/api.js';
import { clearSession } from '../lib/auth.js';
import { linkClick, navigate } from '../lib/router.js';
import { useConnection, useSocket } from '../lib/socket.js';
import { isParticipant, joinRoom } from '../lib/rooms.js';
import { toast } from '../lib/toasts.js';
import {
  aiChunk, aiComplete, aiError, aiStart, applyRead, idOf, mergeMessages, needsRead,
  oldestTimestamp, readStatus, toggleReaction,
} from '../lib/messages.js';
import Avatar from '../components/Avatar.jsx';
import Composer from '../components/Composer.jsx';
import MessageList from '../components/MessageList.jsx';
import PasswordDialog from '../components/PasswordDialog.jsx';

const PAGE = 30;
const TIMEOUT_MS = 10000;
const MAX_UPLOAD = 50 * 1000 * 1000;

export default function ChatRoom({ roomId, user }) {
  const socket = useSocket();
  const { state: conn } = useConnection();
  const [room, setRoom] = useState(null);
  const [phase, setPhase] = useState('loading'); // loading | password | joining | ready | error
  const [fatal, setFatal] = useState('');
  const [messages, setMessages] = useState([]);
  const [participants, setParticipants] = useState([]);
  const [hasMore, setHasMore] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [historyError, setHistoryError] = useState('');
  const [upload, setUpload] = useState(null);
  const [showPeople, setShowPeople] = useState(false);

  const msgsRef = useRef(messages);
  msgsRef.current = messages;
  const peopleRef = useRef(participants);
  peopleRef.current = participants;
  const pending = useRef(null); // 'latest' | 'older' while a fetchPreviousMessages is out
  const pendingTimer = useRef(null);
  const readSent = useRef(new Set());
  const readQueue = useRef(new Set());
  const readTimer = useRef(null);
  const uploadRef = useRef(null);
  const joinedOnce = useRef(false);

  // 1. The room over REST; a protected room the user is not in asks for its password first.
  useEffect(() => {
    let live = true;
    get(`/api/rooms/${roomId}`)
      .then((body) => {
        if (!live) return;
        const r = body.data;
        setRoom(r);
        setParticipants(r.participants || []);
        setPhase(r.hasPassword && !isParticipant(r, user.id) ? 'password' : 'joining');
      })
      .catch((err) => {
        if (!live) return;
        setFatal(err instanceof ApiError && err.status === 404 ? 'This room does not exist.' : err.message);
        setPhase('error');
      });
    return () => { live = false; };
  }, [roomId, user.id]);

  const fetchHistory = useCallback((kind) => {
    if (!socket || pending.current) return;
    const before = kind === 'older' ? oldestTimestamp(msgsRef.current) : undefined;
    pending.current = kind;
    if (kind === 'older') setLoadingOlder(true);
    setHistoryError('');
    socket.emit('fetchPreviousMessages', before ? { roomId, limit: PAGE, before } : { roomId, limit: PAGE });
    clearTimeout(pendingTimer.current);
    pendingTimer.current = setTimeout(() => {
      if (!pending.current) return;
      pending.current = null;
      setLoadingOlder(false);
      setHistoryError('Loading messages is taking too long.');
    }, TIMEOUT_MS);
  }, [socket, roomId]);

  const loadOlder = useCallback(() => {
    if (phase !== 'ready' || !hasMore) return;
    fetchHistory('older');
  }, [phase, hasMore, fetchHistory]);

  // 2. The conversation over the socket.
  useEffect(() => {
    if (!socket || (phase !== 'joining' && phase !== 'ready')) return undefined;
    let joinTimer = null;
    const join = () => {
      socket.emit('joinRoom', roomId);
      clearTimeout(joinTimer);
      joinTimer = setTimeout(() => {
        if (!joinedOnce.current) {
          setFatal('Joining the room timed out. Check your connection and try again.');
          setPhase('error');
        }
      }, TIMEOUT_MS);
    };
    const on = {
      joinRoomSuccess: (data) => {
        if (data?.roomId && data.roomId !== roomId) return;
        clearTimeout(joinTimer);
        if (Array.isArray(data?.participants)) setParticipants(data.participants);
        if (Array.isArray(data?.messages)) {
          const first = msgsRef.current.length === 0;
          setMessages((list) => mergeMessages(list, data.messages));
          if (first) setHasMore(!!data.hasMore);
        } else {
          pending.current = null;
          fetchHistory('latest');
        }
        joinedOnce.current = true;
        setPhase('ready');
      },
      joinRoomError: (data) => {
        clearTimeout(joinTimer);
        setFatal(data?.message || 'Could not join the room.');
        setPhase('error');
      },
      messageLoadStart: () => {},
      previousMessagesLoaded: (data) => {
        const kind = pending.current;
        pending.current = null;
        clearTimeout(pendingTimer.current);
        const list = Array.isArray(data?.messages) ? data.messages : [];
        const empty = msgsRef.current.every((m) => m.local);
        setMessages((cur) => mergeMessages(cur, list));
        if (kind === 'older' || empty) setHasMore(!!data?.hasMore);
        setLoadingOlder(false);
      },
      message: (m) => {
        if (!m || (m.room && m.room !== roomId)) return;
        setMessages((list) => mergeMessages(list, [m]));
      },
      participantsUpdate: (list) => {
        if (Array.isArray(list)) setParticipants(list);
      },
      messagesRead: ({ userId, messageIds } = {}) => {
        if (userId) setMessages((list) => applyRead(list, userId, messageIds));
      },
      messageReactionUpdate: ({ messageId, reactions } = {}) => {
        setMessages((list) => list.map((m) => (m._id === messageId ? { ...m, reactions: reactions || {} } : m)));
      },
      aiMessageStart: (d) => d?.messageId && setMessages((l) => aiStart(l, d)),
      aiMessageChunk: (d) => d?.messageId && setMessages((l) => aiChunk(l, d)),
      aiMessageComplete: (d) => d && setMessages((l) => aiComplete(l, d)),
      aiMessageError: (d) => d && setMessages((l) => aiError(l, d)),
      error: (e) => {
        const code = e?.code;
        const text = e?.message || 'Something went wrong.';
        if (code === 'MESSAGE_REJECTED') toast(text, { kind: 'error', code });
        else if (code === 'SESSION_EXPIRED') clearSession(text);
        else if (code === 'LOAD_ERROR') {
          pending.current = null;
          clearTimeout(pendingTimer.current);
          setLoadingOlder(false);
          setHistoryError(text);
        } else toast(text, { kind: 'error', code });
      },
    };
    for (const [ev, fn] of Object.entries(on)) socket.on(ev, fn);
    // (Re)join on every connect: after a reconnect the server has forgotten this socket's rooms.
    const onConnect = () => {
      pending.current = null;
      join();
    };
    socket.on('connect', onConnect);
    if (socket.connected && phase === 'joining') join();
    return () => {
      clearTimeout(joinTimer);
      for (const [ev, fn] of Object.entries(on)) socket.off(ev, fn);
      socket.off('connect', onConnect);
    };
  }, [socket, roomId, phase === 'joining' || phase === 'ready', fetchHistory]); // eslint-disable-line react-hooks/exhaustive-deps

  // Leave the room when the page goes away (the socket itself stays for the other pages).
  useEffect(() => () => {
    if (joinedOnce.current && socket?.connected) socket.emit('leaveRoom', roomId);
  }, [socket, roomId]);

  // 3. Read receipts, batched.
  const onVisible = useCallback((ids) => {
    for (const id of ids) {
      if (readSent.current.has(id)) continue;
      const m = msgsRef.current.find((x) => x._id === id);
      if (!m || m.local || m.type === 'system') continue;
      // History loads mark us read silently (§3.6); tell the room once per visit for messages
      // someone may still see as unread.
      if (!needsRead(m, user.id) && readStatus(m, peopleRef.current).allRead) continue;
      readQueue.current.add(id);
    }
    if (!readQueue.current.size || readTimer.current) return;
    readTimer.current = setTimeout(() => {
      readTimer.current = null;
      const batch = [...readQueue.current];
      readQueue.current.clear();
      if (!batch.length || !socket?.connected) return;
      batch.forEach((id) => readSent.current.add(id));
      socket.emit('markMessagesAsRead', { roomId, messageIds: batch });
    }, 150);
  }, [socket, roomId, user.id]);
  useEffect(() => () => clearTimeout(readTimer.current), []);

  const onReact = useCallback((m, emoji) => {
    if (!socket) return;
    const type = toggleReaction(m.reactions, emoji, user.id);
    socket.emit('messageReaction', { messageId: m._id, reaction: emoji, type });
  }, [socket, user.id]);

  const onSend = useCallback((content) => {
    socket?.emit('chatMessage', { room: roomId, type: 'text', content });
  }, [socket, roomId]);

  const onFile = useCallback(async (file, caption, clearCaption) => {
    if (file.size === 0) { toast('The file is empty.', { kind: 'error' }); return; }
    if (file.size > MAX_UPLOAD) { toast('The file is too large (50 MB at most).', { kind: 'error' }); return; }
    const job = uploadFile('/api/files/upload', 'file', file, {
      onProgress: (p) => setUpload((u) => (u ? { ...u, progress: p } : u)),
    });
    uploadRef.current = job;
    setUpload({ name: file.name, progress: 0 });
    try {
      const res = await job.promise;
      const f = res.file;
      socket?.emit('chatMessage', {
        room: roomId,
        type: 'file',
        content: caption,
        fileData: { _id: f._id, filename: f.filename, originalname: f.originalname, mimetype: f.mimetype, size: f.size },
      });
      clearCaption();
    } catch (err) {
      if (!err.aborted) toast(err.message || 'The upload failed.', { kind: 'error' });
    } finally {
      uploadRef.current = null;
      setUpload(null);
    }
  }, [socket, roomId]);

  if (phase === 'error') {
    return (
      <main className="page page-narrow">
        <div className="card" role="alert" data-testid="room-error">
          <h1>Can’t open this room</h1>
          <p>{fatal}</p>
          <p><a className="button" href="/chat" onClick={linkClick}>Back to rooms</a></p>
        </div>
      </main>
    );
  }

  const ready = phase === 'ready';
  const offline = conn !== 'connected';
  return (
    <main className="chat" aria-labelledby="room-title" data-testid="chat-room" data-ready={ready ? 'true' : 'false'}>
      <div className="chat-head">
        <a className="icon-button back" href="/chat" onClick={linkClick} aria-label="Back to rooms">←</a>
        <h1 id="room-title" className="chat-title" data-testid="room-title">
          {room?.hasPassword && <span aria-label="Password protected">🔒 </span>}
          {room?.name || 'Loading…'}
        </h1>
        <button
          type="button"
          className="people-button"
          aria-expanded={showPeople}
          aria-controls="people"
          onClick={() => setShowPeople((s) => !s)}
          data-testid="participants-button"
        >
          <span className="people-stack" aria-hidden="true">
            {participants.slice(0, 3).map((p) => <Avatar key={idOf(p)} user={p} size={24} />)}
          </span>
          <span data-testid="participant-count">{participants.length}</span>
          <span className="sr-only"> participants</span>
        </button>
      </div>
      {showPeople && (
        <aside id="people" className="people" aria-label="Participants" data-testid="participants">
          <h2>In this room</h2>
          <ul>
            {participants.map((p) => (
              <li key={idOf(p)}>
                <Avatar user={p} size={28} /> <span>{p.name}{idOf(p) === user.id ? ' (you)' : ''}</span>
              </li>
            ))}
          </ul>
        </aside>
      )}
      <MessageList
        messages={messages}
        me={user.id}
        participants={participants}
        hasMore={hasMore}
        loadingOlder={loadingOlder}
        historyError={historyError}
        ready={ready}
        onLoadOlder={loadOlder}
        onVisible={onVisible}
        onReact={onReact}
      />
      <Composer
        disabled={!ready || offline}
        disabledReason={offline ? 'Offline — reconnecting…' : 'Joining the room…'}
        onSend={onSend}
        onFile={onFile}
        upload={upload}
        onCancelUpload={() => uploadRef.current?.abort()}
      />
      {phase === 'password' && room && (
        <PasswordDialog
          room={room}
          onCancel={() => navigate('/chat', { replace: true })}
          onSubmit={async (password) => {
            const err = await joinRoom(roomId, password);
            if (!err) setPhase('joining');
            return err;
          }}
        />
      )}
    </main>
  );
}
