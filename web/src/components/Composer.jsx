// The message box: Enter sends (Shift+Enter: new line; IME composition respected), `@` suggests
// the AI assistants, and the paperclip uploads a file with a progress bar.
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { AI_LABELS, insertMention, mentionAt, mentionSuggestions } from '../lib/messages.js';

const ACCEPT = [
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/webm', 'video/quicktime',
  'audio/mpeg', 'audio/wav', 'audio/ogg', 'application/pdf', 'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.jpg', '.jpeg', '.png', '.gif', '.webp', '.mp4', '.webm', '.mov', '.mp3', '.wav', '.ogg', '.pdf', '.doc', '.docx',
].join(',');

export default function Composer({ disabled, disabledReason, onSend, onFile, upload, onCancelUpload }) {
  const [text, setText] = useState('');
  const [mention, setMention] = useState(null); // {start, query, options, active}
  const taRef = useRef(null);
  const fileRef = useRef(null);
  const caretRef = useRef(null);
  const listId = useId();

  // Grow with the text, up to the CSS max-height.
  useLayoutEffect(() => {
    const ta = taRef.current;
    if (!ta) return;
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight}px`;
    if (caretRef.current != null) {
      ta.setSelectionRange(caretRef.current, caretRef.current);
      caretRef.current = null;
    }
  }, [text]);

  function updateMention(value, caret) {
    const at = mentionAt(value, caret);
    const options = at ? mentionSuggestions(at.query) : [];
    setMention(at && options.length ? { ...at, options, active: 0 } : null);
  }

  function pick(name) {
    const ta = taRef.current;
    const { text: next, caret } = insertMention(text, mention.start, ta.selectionStart, name);
    caretRef.current = caret;
    setText(next);
    setMention(null);
    ta.focus();
  }

  function send() {
    const content = text.trim();
    if (!content || disabled) return;
    onSend(content);
    setText('');
    setMention(null);
  }

  function onKeyDown(e) {
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (mention) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setMention((m) => ({ ...m, active: (m.active + d + m.options.length) % m.options.length }));
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(mention.options[mention.active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  }

  function chooseFile(e) {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) onFile(f, text.trim(), () => setText(''));
  }

  const activeId = mention ? `${listId}-${mention.active}` : undefined;
  return (
    <div className="composer-wrap">
      {upload && (
        <div className="upload" data-testid="upload-status">
          <span className="upload-name">{upload.name}</span>
          <div
            className="progress"
            role="progressbar"
            aria-label={`Uploading ${upload.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(upload.progress * 100)}
            data-testid="upload-progress"
          >
            <div className="progress-bar" style={{ width: `${Math.round(upload.progress * 100)}%` }} />
          </div>
          <span className="upload-pct">{Math.round(upload.progress * 100)}%</span>
          <button type="button" className="button button-small" onClick={onCancelUpload}>Cancel</button>
        </div>
      )}
      {mention && (
        <ul className="mentions" id={listId} role="listbox" aria-label="Mention an assistant" data-testid="mention-suggestions">
          {mention.options.map((name, i) => (
            <li
              key={name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === mention.active}
              className={i === mention.active ? 'active' : ''}
              onMouseDown={(e) => { e.preventDefault(); pick(name); }}
              data-testid="mention-option"
            >
              <span className="avatar avatar-ai small" aria-hidden="true">AI</span> @{name}
              <span className="muted"> {AI_LABELS[name]}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
        <input ref={fileRef} type="file" className="sr-only" accept={ACCEPT} onChange={chooseFile} tabIndex={-1} aria-hidden="true" data-testid="file-input" />
        <button
          type="button"
          className="icon-button attach"
          onClick={() => fileRef.current?.click()}
          disabled={disabled || !!upload}
          aria-label="Attach a file"
          title="Attach a file"
          data-testid="attach-button"
        >
          📎
        </button>
        <label className="sr-only" htmlFor={`${listId}-input`}>Message</label>
        <textarea
          id={`${listId}-input`}
          ref={taRef}
          rows={1}
          value={text}
          placeholder={disabled ? disabledReason : 'Message (@ for AI)'}
          onChange={(e) => { setText(e.target.value); updateMention(e.target.value, e.target.selectionStart); }}
          onKeyDown={onKeyDown}
          onClick={(e) => updateMention(text, e.currentTarget.selectionStart)}
          onBlur={() => setTimeout(() => setMention(null), 100)}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={!!mention}
          aria-controls={mention ? listId : undefined}
          aria-activedescendant={activeId}
          maxLength={10000}
          data-testid="message-input"
        />
        <button type="submit" className="button button-primary send" disabled={disabled || !text.trim()} data-testid="send-button">
          Send
        </button>
      </form>
    </div>
  );
}
