// One message: system line, or a bubble with sender, content, file, AI stream, reactions and
// read status.
import { memo, useEffect, useRef, useState } from 'react';
import { formatTime, splitCodeBlocks } from '../lib/format.js';
import { AI_LABELS, idOf, readStatus } from '../lib/messages.js';
import Avatar from './Avatar.jsx';
import FileAttachment from './FileAttachment.jsx';

export const EMOJIS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

function Content({ text }) {
  if (!text) return null;
  return splitCodeBlocks(text).map((p, i) => (p.code
    ? <pre key={i} className="code"><code>{p.text}</code></pre>
    : <span key={i} className="text">{p.text}</span>));
}

function ReactionPicker({ onPick, onClose }) {
  const ref = useRef(null);
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const away = (e) => { if (!ref.current?.contains(e.target)) onClose(); };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [onClose]);
  function onKeyDown(e) {
    const buttons = [...ref.current.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === 'Escape') { e.stopPropagation(); onClose(true); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); buttons[(i + 1) % buttons.length].focus(); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); buttons[(i - 1 + buttons.length) % buttons.length].focus(); }
  }
  return (
    <div className="reaction-picker" role="toolbar" aria-label="Pick a reaction" ref={ref} onKeyDown={onKeyDown} data-testid="reaction-picker">
      {EMOJIS.map((e) => (
        <button key={e} type="button" onClick={() => { onPick(e); onClose(true); }} aria-label={`React with ${e}`} data-testid="reaction-option" data-emoji={e}>
          {e}
        </button>
      ))}
    </div>
  );
}

function MessageItem({ m, me, participants, grouped, onReact }) {
  const [picking, setPicking] = useState(false);
  const addRef = useRef(null);

  if (m.type === 'system') {
    return (
      <li className="msg-system" data-testid="system-message" data-message-id={m._id}>
        <span>{m.content}</span>
      </li>
    );
  }
  const isAi = m.type === 'ai';
  const mine = !isAi && idOf(m.sender) === me;
  const sender = isAi ? { name: AI_LABELS[m.aiType] || m.aiType || 'AI', _id: m.aiType } : m.sender || { name: 'Unknown' };
  const status = m.local ? null : readStatus(m, participants);
  const reactions = Object.entries(m.reactions || {}).filter(([, users]) => users && users.length);
  const readerNames = status
    ? participants.filter((p) => (m.readers || []).some((r) => r.userId === idOf(p))).map((p) => p.name).join(', ')
    : '';

  const time = <time className="msg-time" dateTime={new Date(m.timestamp).toISOString()}>{formatTime(m.timestamp)}</time>;
  return (
    <li
      className={`msg${mine ? ' msg-mine' : ''}${isAi ? ' msg-ai' : ''}${grouped ? ' msg-grouped' : ''}`}
      data-testid="message"
      data-message-id={m._id}
      data-type={m.type}
      data-needs-read={m.local ? undefined : m._id}
    >
      {!mine && (
        <div className="msg-avatar" aria-hidden="true">
          {!grouped && (isAi ? <span className="avatar avatar-ai">AI</span> : <Avatar user={sender} size={34} />)}
        </div>
      )}
      <div className="msg-body">
        {!grouped && !mine && (
          <div className="msg-head">
            <span className="msg-sender" data-testid="message-sender">{sender.name}</span>
          </div>
        )}
        {mine && <span className="sr-only" data-testid="message-sender">You</span>}
        <div className="msg-line">
          <div className={`msg-bubble${m.type === 'file' ? ' has-file' : ''}`}>
            {m.type === 'file' && <FileAttachment file={m.file} />}
            {m.content && (
              <div className="msg-content" data-testid="message-content"><Content text={m.content} /></div>
            )}
            {isAi && m.streaming && (
              <span className="typing" data-testid="ai-streaming" aria-label={`${sender.name} is typing`}>
                <i /><i /><i />
              </span>
            )}
            {isAi && m.error && <p className="msg-error" role="alert" data-testid="ai-error">{m.error}</p>}
          </div>
          <div className="msg-meta">
            {status && (status.allRead ? (
              <span className="read read-all" data-testid="read-status-all-read" title={`Read by ${readerNames}`}>✓✓ All read</span>
            ) : (
              <span className="read" data-testid="read-status" title={readerNames ? `Read by ${readerNames}` : 'Not read yet'}>
                ✓ {status.count}/{status.total} read
              </span>
            ))}
            {time}
          </div>
          {!m.local && (
            <span className={`msg-tools${picking ? ' is-open' : ''}`}>
              <button
                ref={addRef}
                type="button"
                className="chip chip-add"
                aria-label="Add reaction"
                aria-expanded={picking}
                onClick={() => setPicking((p) => !p)}
                data-testid="reaction-add-button"
              >
                ☺+
              </button>
              {picking && (
                <ReactionPicker
                  onPick={(e) => onReact(m, e)}
                  onClose={(refocus) => { setPicking(false); if (refocus) addRef.current?.focus(); }}
                />
              )}
            </span>
          )}
        </div>
        {reactions.length > 0 && (
          <div className="msg-reactions">
            {reactions.map(([emoji, users]) => {
              const minePick = users.includes(me);
              return (
                <button
                  key={emoji}
                  type="button"
                  className={`chip${minePick ? ' chip-on' : ''}`}
                  aria-pressed={minePick}
                  aria-label={`${emoji} ${users.length}${minePick ? ', including you. Remove your reaction' : '. Add your reaction'}`}
                  onClick={() => onReact(m, emoji)}
                  data-testid="reaction-chip"
                  data-emoji={emoji}
                >
                  {emoji} <span data-testid="reaction-count">{users.length}</span>
                </button>
              );
            })}
          </div>
        )}
      </div>
    </li>
  );
}

export default memo(MessageItem);
