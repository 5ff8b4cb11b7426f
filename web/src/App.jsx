// Routes, guards and the app shell. The signed-out pages are in the main chunk; everything
// behind sign-in (Socket.IO included) loads as a second chunk.
import { lazy, Suspense, useEffect } from 'react';
import { authStore, useUser } from './lib/auth.js';
import { matchRoute, navigate, usePath } from './lib/router.js';
import Login from './pages/Login.jsx';
import Register from './pages/Register.jsx';
import Toasts from './components/Toasts.jsx';

// Signed in: fetch the second chunk right away, in parallel with the first render. Signed out:
// fetch it when the browser is idle, so the room list is instant after signing in.
const loadAuthed = () => import('./pages/Authed.jsx');
if (authStore.get()) loadAuthed();
else (window.requestIdleCallback || ((f) => setTimeout(f, 2000)))(() => loadAuthed());
const Authed = lazy(loadAuthed);

const ROUTES = [
  ['/', 'login'],
  ['/login', 'login'],
  ['/register', 'register'],
  ['/chat', 'rooms'],
  ['/chat/new', 'new-room'],
  ['/chat/:roomId', 'room'],
  ['/profile', 'profile'],
];
const PUBLIC = new Set(['login', 'register']);

function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export default function App() {
  const user = useUser();
  const path = usePath();
  const match = matchRoute(ROUTES, path.split('?')[0]);
  const page = match?.value;

  let body;
  if (!match) body = <NotFound />;
  else if (PUBLIC.has(page)) {
    if (user) body = <Redirect to="/chat" />;
    else body = page === 'login' ? <Login /> : <Register />;
  } else if (!user) body = <Redirect to="/" />;
  else {
    body = (
      <Suspense fallback={<div className="page-loading" role="status">Loading…</div>}>
        <Authed page={page} params={match.params} user={user} />
      </Suspense>
    );
  }
  return (
    <>
      {body}
      <Toasts />
    </>
  );
}

function NotFound() {
  return (
    <main className="auth-page">
      <div className="card">
        <h1>Page not found</h1>
        <p>
          <a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Go to Parley</a>
        </p>
      </div>
    </main>
  );
}
