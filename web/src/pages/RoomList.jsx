import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from '../lib/api.js';
import { linkClick, navigate } from '../lib/router.js';
import { useSocket } from '../lib/socket.js';
import { isParticipant, joinRoom } from '../lib/rooms.js';
import { toast } from '../lib/toasts.js';
import PasswordDialog from '../components/PasswordDialog.jsx';

const PAGE_SIZE = 10;
const SORTS = [
  ['createdAt', 'Newest'],
  ['name', 'Name'],
  ['participantsCount', 'Participants'],
];

function timeAgo(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

function members(room) {
  const n = room.participantsCount ?? room.participants?.length ?? 0;
  return `${n} member${n === 1 ? '' : 's'}`;
}

export default function RoomList({ user }) {
  const socket = useSocket();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [sortField, setSortField] = useState('createdAt');
  const [sortOrder, setSortOrder] = useState('desc');
  const [page, setPage] = useState(0);
  const [rooms, setRooms] = useState([]);
  const [meta, setMeta] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [fresh, setFresh] = useState(() => new Set());
  const [prompt, setPrompt] = useState(null);
  const [reload, setReload] = useState(0);
  const busy = useRef(false);

  useEffect(() => {
    const q = search.trim();
    if (q === query) return undefined;
    const t = setTimeout(() => {
      setQuery(q);
      setPage(0);
    }, 250);
    return () => clearTimeout(t);
  }, [search, query]);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    get('/api/rooms', { query: { page, pageSize: PAGE_SIZE, sortField, sortOrder, search: query }, signal: ctl.signal })
      .then((body) => {
        setRooms(body.data || []);
        setMeta(body.metadata || null);
        setError('');
        setLoading(false);
      })
      .catch((err) => {
        if (err.name === 'AbortError') return;
        setError(err.message || 'Could not load the rooms.');
        setLoading(false);
      });
    return () => ctl.abort();
  }, [page, sortField, sortOrder, query, reload]);

  // Live updates: a new room refreshes the current page (debounced); updates patch in place.
  useEffect(() => {
    if (!socket) return undefined;
    let timer = null;
    const onCreated = (room) => {
      if (room?._id) setFresh((s) => new Set(s).add(room._id));
      clearTimeout(timer);
      timer = setTimeout(() => setReload((n) => n + 1), 200);
    };
    const onUpdated = (room) => {
      if (room?._id) setRooms((list) => list.map((r) => (r._id === room._id ? room : r)));
    };
    const onDeleted = () => setReload((n) => n + 1);
    socket.on('roomCreated', onCreated);
    socket.on('roomUpdated', onUpdated);
    socket.on('roomDeleted', onDeleted);
    socket.emit('joinRoomList');
    const onConnect = () => socket.emit('joinRoomList');
    socket.on('connect', onConnect);
    return () => {
      clearTimeout(timer);
      socket.off('roomCreated', onCreated);
      socket.off('roomUpdated', onUpdated);
      socket.off('roomDeleted', onDeleted);
      socket.off('connect', onConnect);
    };
  }, [socket]);

  const enter = useCallback(async (room) => {
    if (busy.current) return;
    if (room.hasPassword && !isParticipant(room, user.id)) {
      setPrompt(room);
      return;
    }
    busy.current = true;
    const err = await joinRoom(room._id);
    busy.current = false;
    if (err) toast(err, { kind: 'error' });
    else navigate(`/chat/${room._id}`);
  }, [user.id]);

  const total = meta?.total ?? rooms.length;
  const totalPages = Math.max(1, meta?.totalPages ?? 1);

  return (
    <main className="page" aria-labelledby="rooms-title">
      <div className="page-head">
        <h1 id="rooms-title">Chat rooms</h1>
        <a className="button button-primary" href="/chat/new" onClick={linkClick} data-testid="create-room-link">
          + New room
        </a>
      </div>

      <div className="toolbar" role="search">
        <label className="sr-only" htmlFor="room-search">Search rooms</label>
        <input
          id="room-search"
          type="search"
          placeholder="Search rooms…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="room-search"
        />
        <label className="sr-only" htmlFor="room-sort">Sort by</label>
        <select id="room-sort" value={sortField} onChange={(e) => { setSortField(e.target.value); setPage(0); }} data-testid="room-sort">
          {SORTS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
        <button
          type="button"
          className="button"
          onClick={() => { setSortOrder((o) => (o === 'desc' ? 'asc' : 'desc')); setPage(0); }}
          aria-label={sortOrder === 'desc' ? 'Sort order: descending. Switch to ascending' : 'Sort order: ascending. Switch to descending'}
          data-testid="room-order"
          data-order={sortOrder}
        >
          {sortOrder === 'desc' ? '↓ Desc' : '↑ Asc'}
        </button>
      </div>

      {error && (
        <p className="notice notice-error" role="alert">
          {error} <button type="button" className="link-button" onClick={() => setReload((n) => n + 1)}>Retry</button>
        </p>
      )}

      <ul className={`room-list${loading ? ' is-loading' : ''}`} data-testid="room-list" data-query={query} aria-busy={loading}>
        {rooms.map((room) => (
          <li key={room._id} className={`room-item${fresh.has(room._id) ? ' room-fresh' : ''}`} data-testid="room-item" data-room-id={room._id}>
            <button type="button" className="room-button" onClick={() => enter(room)} aria-label={`Enter ${room.name}${room.hasPassword ? ' (password protected)' : ''}`}>
              <span className="room-icon" aria-hidden="true">{room.hasPassword ? '🔒' : '#'}</span>
              <span className="room-main">
                <span className="room-name" data-testid="room-name">{room.name}</span>
                <span className="room-meta">
                  {members(room)} · by {room.creator?.name || 'unknown'} · {timeAgo(room.createdAt)}
                </span>
              </span>
              {room.recentMessageCount > 0 && (
                <span className="room-activity" title="Messages in the last 10 minutes">
                  {room.recentMessageCount} recent
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {!loading && !error && rooms.length === 0 && (
        <p className="empty" data-testid="rooms-empty">
          {query ? `No rooms match “${query}”.` : 'No rooms yet. Create the first one!'}
        </p>
      )}

      <nav className="pager" aria-label="Room pages">
        <button type="button" className="button" disabled={page === 0 || loading} onClick={() => setPage((p) => p - 1)} data-testid="rooms-prev">
          ← Previous
        </button>
        <span className="muted" data-testid="rooms-page">
          Page {Math.min(page + 1, totalPages)} of {totalPages} · {total} room{total === 1 ? '' : 's'}
        </span>
        <button type="button" className="button" disabled={!meta?.hasMore || loading} onClick={() => setPage((p) => p + 1)} data-testid="rooms-next">
          Next →
        </button>
      </nav>

      {prompt && (
        <PasswordDialog
          room={prompt}
          onCancel={() => setPrompt(null)}
          onSubmit={async (password) => {
            const err = await joinRoom(prompt._id, password);
            if (!err) {
              const id = prompt._id;
              setPrompt(null);
              navigate(`/chat/${id}`);
            }
            return err;
          }}
        />
      )}
    </main>
  );
}
