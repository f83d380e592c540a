// The JSON API client (docs/api.md): bearer token from the session, JSON in
// and out, and the API's one error shape turned into ApiError with the
// per-field messages in .fields.
//
// The session (token and user) lives in sessionStorage, so a reload keeps
// it and closing the tab ends it. A 401 on any call but login fires
// "hotline:unauthorized" on window so the page can ask to sign in again.

import { clock } from './util.js';

const SESSION = 'hotline.session';

/** ApiError is a failed API call. status 0 means no answer (network). */
export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code || (status ? `http_${status}` : 'network');
    this.fields = body.fields || {};
    this.current = body.current;
  }
}

/** session returns {token, expires, user} or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION));
    if (!s?.token) return null;
    if (s.expires && Date.parse(s.expires) < clock.now()) return null;
    return s;
  } catch {
    return null;
  }
}

/** clearSession forgets the token (drafts and other keys are kept). */
export function clearSession() { sessionStorage.removeItem(SESSION); }

/** token returns the bearer token or "". */
export function token() { return session()?.token ?? ''; }

/**
 * request calls the API. opts: query (object; empty values left out), body
 * (sent as JSON), raw (a Blob sent as it is, with contentType), headers,
 * signal, timeout (ms, default 15 s; 0: none), blob (answer the body as a
 * Blob, for files). Answers the decoded JSON (null for 204) or throws
 * ApiError.
 */
export async function request(method, path, opts = {}) {
  const { query, body, raw, contentType, headers = {}, signal, timeout = 15000, blob = false } = opts;
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const h = { Accept: 'application/json', ...headers };
  const tok = token();
  if (tok) h.Authorization = `Bearer ${tok}`;
  const init = { method, headers: h, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    h['Content-Type'] = contentType || raw.type || 'application/octet-stream';
    init.body = raw;
  }
  const signals = [];
  if (timeout) signals.push(AbortSignal.timeout(timeout));
  if (signal) signals.push(signal);
  if (signals.length) init.signal = AbortSignal.any(signals);
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (signal?.aborted) throw e; // the caller cancelled: not an error to show
    throw new ApiError(0, { code: e.name === 'TimeoutError' ? 'timeout' : 'network', message: String(e.message || e) });
  }
  clock.sync(res.headers.get('Date'));
  if (res.ok && blob) return res.blob();
  let data = null;
  if (res.status !== 204 && (res.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = await res.json();
    } catch (e) {
      if (signal?.aborted) throw e; // cancelled while the body was read
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error ?? { message: res.statusText });
    if (res.status === 401 && path !== '/api/v1/login') {
      window.dispatchEvent(new CustomEvent('hotline:unauthorized', { detail: err }));
    }
    throw err;
  }
  return data;
}

export const get = (path, query, opts) => request('GET', path, { ...opts, query });
export const post = (path, body, opts) => request('POST', path, { ...opts, body });

/**
 * download fetches a file from the API (no time limit: an export may stream
 * for minutes) and saves it as name. Answers {name, type, size} or throws
 * ApiError.
 */
export async function download(path, query, name) {
  const file = await request('GET', path, { query, blob: true, timeout: 0 });
  const href = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30000);
  return { name, type: file.type, size: file.size };
}

/** login signs in and keeps the session; answers {token, expires, user}. */
export async function login(username, password) {
  const s = await post('/api/v1/login', { username, password });
  sessionStorage.setItem(SESSION, JSON.stringify({ token: s.token, expires: s.expires, user: s.user }));
  return s;
}

/** logout ends the session on the server (best effort) and here. */
export async function logout() {
  try {
    if (token()) await post('/api/v1/logout', undefined, { timeout: 5000 });
  } catch { /* the token is forgotten here anyway */ }
  clearSession();
}

/**
 * errorText is a message for people: the localized text for failures that
 * have no useful server message, else the server's message.
 */
export function errorText(err, t) {
  if (!(err instanceof ApiError)) return t('err.unexpected');
  switch (err.code) {
    case 'network': return t('err.network');
    case 'timeout': return t('err.timeout');
    case 'unauthorized': return err.message && err.status === 401 ? t('err.unauthorized') : err.message;
    case 'forbidden': return t('err.forbidden');
    case 'internal': return t('err.internal');
    default: return err.message || t('err.unexpected');
  }
}
