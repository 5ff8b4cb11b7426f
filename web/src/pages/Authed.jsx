// Everything behind sign-in: the header, the socket, and the signed-in pages.
import { useEffect } from 'react';
import { post } from '../lib/api.js';
import { clearSession } from '../lib/auth.js';
import { closeSocket, openSocket, useConnection } from '../lib/socket.js';
import { linkClick, navigate, usePath } from '../lib/router.js';
import Avatar from '../components/Avatar.jsx';
import RoomList from './RoomList.jsx';
import NewRoom from './NewRoom.jsx';
import ChatRoom from './ChatRoom.jsx';
import Profile from './Profile.jsx';

export default function Authed({ page, params, user }) {
  useEffect(() => {
    openSocket(user);
  }, [user.token, user.sessionId]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => closeSocket(), []);

  return (
    <div className={`shell${page === 'room' ? ' shell-fixed' : ''}`}>
      <Header user={user} />
      {page === 'rooms' && <RoomList user={user} />}
      {page === 'new-room' && <NewRoom />}
      {page === 'room' && <ChatRoom key={params.roomId} roomId={params.roomId} user={user} />}
      {page === 'profile' && <Profile user={user} />}
    </div>
  );
}

const LABELS = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function ConnectionBadge() {
  const { state, attempt } = useConnection();
  const label = state === 'reconnecting' && attempt > 0 ? `Reconnecting (try ${attempt})…` : LABELS[state];
  return (
    <span className={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection-status" data-state={state}>
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{label}</span>
    </span>
  );
}

function Header({ user }) {
  const path = usePath();
  async function logout() {
    try {
      await post('/api/auth/logout', {}, { allow401: true });
    } catch {
      /* the session ends locally anyway */
    }
    closeSocket();
    clearSession('You have signed out.');
    navigate('/', { replace: true });
  }
  const current = (p) => (path === p ? 'page' : undefined);
  return (
    <header className="topbar">
      <a className="brand" href="/chat" onClick={linkClick} aria-label="Parley, room list">
        <span className="brand-mark small" aria-hidden="true">P</span>
        <span className="brand-name">Parley</span>
      </a>
      <ConnectionBadge />
      <nav className="topnav" aria-label="Main">
        <a href="/chat" onClick={linkClick} aria-current={current('/chat')} data-testid="nav-rooms">Rooms</a>
        <a href="/profile" onClick={linkClick} aria-current={current('/profile')} className="topnav-user" data-testid="nav-profile">
          <Avatar user={user} size={28} testid="header-avatar" />
          <span className="topnav-name" data-testid="user-name">{user.name}</span>
        </a>
        <button type="button" className="button button-ghost" onClick={logout} data-testid="logout-button">
          Log out
        </button>
      </nav>
    </header>
  );
}
