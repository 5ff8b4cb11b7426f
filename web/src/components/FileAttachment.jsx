// A file message's attachment: name, size, an inline preview where the server can show one,
// and open/download actions. URLs carry the token in the query (img/video/iframe can't send headers).
import { useState } from 'react';
import { fileUrl } from '../lib/api.js';
import { formatSize, previewKind } from '../lib/format.js';
import { toast } from '../lib/toasts.js';

const ICONS = { image: '🖼️', video: '🎬', audio: '🎵', pdf: '📄', other: '📎' };

export default function FileAttachment({ file }) {
  const [broken, setBroken] = useState(false);
  if (!file || !file.filename) return null;
  const kind = previewKind(file.mimetype);
  const view = fileUrl('view', file.filename);
  const name = file.originalname || file.filename;

  async function download() {
    const href = fileUrl('download', file.filename);
    try {
      const res = await fetch(href, { method: 'HEAD' });
      if (!res.ok) throw new Error(res.status === 403 ? 'You do not have access to this file.' : 'The file is not available.');
    } catch (err) {
      toast(err.message || 'The file is not available.', { kind: 'error' });
      return;
    }
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  return (
    <div className={`file file-${kind}`} data-testid="file-message" data-kind={kind}>
      {!broken && kind === 'image' && (
        <a className="file-preview" href={view} target="_blank" rel="noopener noreferrer" aria-label={`Open ${name} in a new tab`}>
          <img src={view} alt={name} loading="lazy" decoding="async" onError={() => setBroken(true)} data-testid="file-preview-image" />
        </a>
      )}
      {!broken && kind === 'video' && (
        <div className="file-preview">
          <video src={view} controls preload="metadata" aria-label={name} onError={() => setBroken(true)} data-testid="file-preview-video" />
        </div>
      )}
      {!broken && kind === 'audio' && (
        <audio className="file-audio" src={view} controls preload="none" aria-label={name} data-testid="file-preview-audio" />
      )}
      {!broken && kind === 'pdf' && (
        <div className="file-preview file-preview-pdf">
          <iframe src={`${view}#toolbar=0&navpanes=0&view=FitH`} title={`Preview of ${name}`} loading="lazy" data-testid="file-preview-pdf" />
        </div>
      )}
      <div className="file-bar">
        <span className="file-icon" aria-hidden="true">{ICONS[kind]}</span>
        <span className="file-info">
          <span className="file-name" data-testid="file-name" title={name}>{name}</span>
          <span className="file-size" data-testid="file-size">{formatSize(file.size)}</span>
        </span>
        <span className="file-actions">
          {kind !== 'other' && (
            <a className="button button-small" href={view} target="_blank" rel="noopener noreferrer" data-testid="file-view">
              Open
            </a>
          )}
          <button type="button" className="button button-small" onClick={download} data-testid="file-download" aria-label={`Download ${name}`}>
            Download
          </button>
        </span>
      </div>
    </div>
  );
}
