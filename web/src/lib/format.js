// Pure formatting helpers (no DOM, no React): unit-tested with node --test.

// 542 → "542 B", 1023585 → "999.59 KB", 5242880 → "5 MB".
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toFixed(2))} ${units[i]}`;
}

export function formatTime(ms, now = Date.now()) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date(now);
  const sameDay = d.toDateString() === today.toDateString();
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (sameDay) return time;
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

export function initials(name) {
  const s = String(name || '?').trim();
  const words = s.split(/\s+/).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[1][0]).toUpperCase();
  return Array.from(s).slice(0, 2).join('').toUpperCase();
}

// A stable hue for a user's avatar.
export function hueOf(key) {
  let h = 0;
  for (const ch of String(key || '')) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}

// 'image' | 'video' | 'audio' | 'pdf' | 'other' (only types the server previews inline).
export function previewKind(mimetype) {
  const m = String(mimetype || '').toLowerCase();
  if (['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(m)) return 'image';
  if (['video/mp4', 'video/webm'].includes(m)) return 'video';
  if (['audio/mpeg', 'audio/wav'].includes(m)) return 'audio';
  if (m === 'application/pdf') return 'pdf';
  return 'other';
}

// Splits AI/markdown-ish text into text and ``` code parts (an unclosed fence runs to the end).
export function splitCodeBlocks(text) {
  const parts = [];
  const s = String(text || '');
  let i = 0;
  let code = false;
  while (i <= s.length) {
    const j = s.indexOf('```', i);
    const end = j === -1 ? s.length : j;
    let chunk = s.slice(i, end);
    if (code) chunk = chunk.replace(/^[\w+-]*\n/, '').replace(/\n$/, '');
    else if (parts.length) chunk = chunk.replace(/^\n/, ''); // the line break after a closing fence
    if (chunk) parts.push({ code, text: chunk });
    if (j === -1) break;
    code = !code;
    i = j + 3;
  }
  return parts;
}
