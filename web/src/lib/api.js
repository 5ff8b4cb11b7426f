// REST client. Same origin as the page; every call carries x-auth-token and x-session-id.
// A 401 ends the session (except where the caller expects one, e.g. a wrong room password).
// GETs are retried on 429 and 5xx, up to 3 times.
import { authStore, clearSession } from './auth.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `Request failed (${status})`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code;
    this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
  }
  // {field: message} from a VALIDATION_ERROR body.
  fieldErrors() {
    const out = {};
    for (const e of this.errors) if (e && e.field && !out[e.field]) out[e.field] = e.message;
    return out;
  }
}

function authHeaders() {
  const u = authStore.get();
  return u ? { 'x-auth-token': u.token, 'x-session-id': u.sessionId } : {};
}

const SESSION_GONE = 'Your session has ended. Please sign in again.';

function handle401(opts) {
  if (!opts.allow401 && authStore.get()) clearSession(SESSION_GONE);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function api(method, path, { body, query, allow401 = false, signal } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const attempts = method === 'GET' ? 4 : 1;
  let res;
  for (let i = 0; i < attempts; i++) {
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (err.name === 'AbortError' || i === attempts - 1) {
        throw err.name === 'AbortError' ? err : new ApiError(0, { message: 'Cannot reach the server.' });
      }
      await sleep(300 * 2 ** i);
      continue;
    }
    if ((res.status === 429 || res.status >= 500) && i < attempts - 1) {
      const retryAfter = Number(res.headers.get('Retry-After'));
      await sleep(retryAfter > 0 ? Math.min(retryAfter, 5) * 1000 : 300 * 2 ** i);
      continue;
    }
    break;
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (res.status === 401) handle401({ allow401 });
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (p, o) => api('GET', p, o);
export const post = (p, body, o) => api('POST', p, { ...o, body });
export const put = (p, body, o) => api('PUT', p, { ...o, body });
export const del = (p, o) => api('DELETE', p, o);

// multipart upload with progress: upload(path, field, file, {onProgress}) → {promise, abort}.
export function upload(path, field, file, { onProgress } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText || 'null');
      } catch {
        data = { message: xhr.responseText };
      }
      if (xhr.status === 401) handle401({});
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: 'Upload failed: cannot reach the server.' }));
    xhr.onabort = () => reject(Object.assign(new ApiError(0, { message: 'Upload cancelled.' }), { aborted: true }));
    const form = new FormData();
    form.append(field, file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

// URLs for <img>/<video>/<a download>: the token goes in the query string.
export function fileUrl(kind, filename) {
  const u = authStore.get();
  const q = new URLSearchParams({ token: u?.token || '', sessionId: u?.sessionId || '' });
  return `/api/files/${kind}/${encodeURIComponent(filename)}?${q}`;
}
