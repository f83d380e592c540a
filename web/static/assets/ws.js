// The desk WebSocket client (docs/softphone.md): authenticates with the
// bearer token, matches ack/error to the messages that carried an id, and
// reconnects with exponential backoff (0.5 s doubling to 15 s, with jitter)
// when the connection drops. After a reconnect the server answers auth with
// a fresh welcome (resumed: true within its grace period).
//
// Events (all CustomEvent, detail is the message or status):
//   status   {status, retryIn, attempt}  status: connecting | online |
//            retrying | unauthorized | replaced | stopped
//   welcome  the welcome message (after every (re)connect)
//   message  every server message (welcome, ack and error included)

const BACKOFF_MIN = 500;
const BACKOFF_MAX = 15000;
const AUTH_TIMEOUT = 10000;
const ACK_TIMEOUT = 10000;

/** WsError is a refused or undeliverable client message. */
export class WsError extends Error {
  constructor(code, message, field = '') {
    super(message || code);
    this.name = 'WsError';
    this.code = code; // the protocol's codes, or "offline" / "timeout"
    this.field = field;
  }
}

export class DeskSocket extends EventTarget {
  /**
   * @param {{token: () => string, path?: string}} opts
   */
  constructor({ token, path = '/api/v1/desk/ws' }) {
    super();
    this.token = token;
    this.path = path;
    this.ws = null;
    this.status = 'stopped';
    this.attempt = 0;
    this.seq = 0;
    this.pending = new Map(); // id → {resolve, reject, timer}
    this.timer = null;
    this.authTimer = null;
    this.stopped = true;
    this.welcome = null;
    this.onOnline = () => { if (this.status === 'retrying') this.reconnectNow(); };
  }

  /** start connects (and keeps reconnecting until stop). */
  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.open();
  }

  /** stop closes the connection for good. */
  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    clearTimeout(this.authTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'logout');
    this.failPending('offline');
    this.setStatus('stopped');
  }

  /** reconnectNow skips the remaining backoff (or takes over from a replaced session). */
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.ws) return;
    this.open();
  }

  get online() { return this.status === 'online'; }

  /**
   * send sends msg. With ack (the default) it carries an id and the promise
   * settles on the server's ack (resolve) or error (reject with WsError);
   * without, it is fire-and-forget. Rejects with code "offline" when not
   * connected.
   */
  send(msg, { ack = true, timeout = ACK_TIMEOUT } = {}) {
    if (!this.online || this.ws?.readyState !== WebSocket.OPEN) {
      return Promise.reject(new WsError('offline', 'not connected'));
    }
    if (!ack) {
      this.ws.send(JSON.stringify(msg));
      return Promise.resolve();
    }
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WsError('timeout', 'no answer from the server'));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  open() {
    clearTimeout(this.timer);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = new WebSocket(`${proto}//${location.host}${this.path}`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.setStatus('connecting');
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      const id = ++this.seq;
      this.authId = id;
      ws.send(JSON.stringify({ type: 'auth', id, token: this.token() }));
      this.authTimer = setTimeout(() => { if (this.ws === ws && !this.online) ws.close(4000, 'no welcome'); }, AUTH_TIMEOUT);
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (!msg || typeof msg.type !== 'string') return;
      this.handle(msg);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.authTimer);
      this.failPending('offline');
      if (this.stopped) return;
      if (ev.code === 4401) { this.setStatus('unauthorized'); return; }
      if (ev.code === 4409) { this.setStatus('replaced'); return; }
      this.scheduleReconnect();
    });
  }

  handle(msg) {
    if (msg.type === 'welcome') {
      clearTimeout(this.authTimer);
      this.attempt = 0;
      this.welcome = msg;
      this.setStatus('online');
      this.emit('welcome', msg);
    } else if ((msg.type === 'ack' || msg.type === 'error') && msg.id) {
      const p = this.pending.get(msg.id);
      if (p) {
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.type === 'ack') p.resolve(msg);
        else p.reject(new WsError(msg.code, msg.message, msg.field));
      }
      if (msg.type === 'error' && msg.id === this.authId && msg.code === 'unauthorized') {
        this.stopped = true; // the server closes with 4401; do not retry a bad token
        this.setStatus('unauthorized');
      }
    }
    this.emit('message', msg);
  }

  scheduleReconnect() {
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
    const delay = Math.round(base * (0.6 + Math.random() * 0.4));
    this.attempt++;
    this.retryAt = Date.now() + delay;
    this.setStatus('retrying', { retryIn: delay });
    this.timer = setTimeout(() => this.open(), delay);
  }

  failPending(code) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new WsError(code, 'connection closed'));
      this.pending.delete(id);
    }
  }

  setStatus(status, extra = {}) {
    this.status = status;
    this.emit('status', { status, attempt: this.attempt, ...extra });
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}
