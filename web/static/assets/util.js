// Small helpers shared by the pages: DOM building, time formatting and the
// server clock (timers count from server timestamps, so the local clock's
// error is corrected from the Date header of API answers).

/** querySelector shorthand. */
export const $ = (sel, root = document) => root.querySelector(sel);
/** querySelectorAll as an array. */
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/**
 * el builds an element: el('li', {class: 'x', dataset: {id: 1}}, 'text', child).
 * Attributes named on* are not accepted (handlers are added with
 * addEventListener); text is always set as text, never as HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) throw new Error('el: use addEventListener');
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** The server's clock, estimated from HTTP Date headers. */
export const clock = {
  offset: 0,
  /** now returns the server's time in ms since the epoch. */
  now() { return Date.now() + this.offset; },
  /** sync adjusts the offset from a response's Date header (1 s resolution). */
  sync(dateHeader) {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (Number.isNaN(server)) return;
    const off = server + 500 - Date.now();
    // Within the header's resolution the local clock is good enough.
    this.offset = Math.abs(off) < 1500 ? 0 : off;
  },
};

/** fmtDuration formats ms as m:ss, or h:mm:ss from an hour on. */
export function fmtDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** since returns the ms elapsed (server clock) since an RFC 3339 time. */
export function since(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, clock.now() - t);
}

/** until returns the ms left (server clock) until an RFC 3339 time. */
export function until(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, t - clock.now());
}

const dateFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hour12: false,
});
const timeFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/** fmtDateTime shows an RFC 3339 time as "2026-11-27 18:00", Beijing time. */
export function fmtDateTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : dateFmt.format(t);
}

/** fmtTime shows an RFC 3339 time (or ms) as "18:00:05", Beijing time. */
export function fmtTime(v) {
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isNaN(t) ? '' : timeFmt.format(t);
}

/** fmtPercent shows a fraction 0–1 as "91.2%". */
export function fmtPercent(f) {
  return Number.isFinite(f) ? `${(f * 100).toFixed(1)}%` : '–';
}

/** debounce delays fn until calls stop for ms. */
export function debounce(fn, ms) {
  let timer;
  const d = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  d.flush = (...args) => { clearTimeout(timer); fn(...args); };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/** typing reports whether the keyboard focus is in a text entry. */
export function typing(target = document.activeElement) {
  if (!target) return false;
  if (target.isContentEditable) return true;
  if (target.tagName === 'TEXTAREA') return true;
  if (target.tagName === 'SELECT') return true;
  if (target.tagName !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

/** toast shows a short message at the bottom right for a few seconds. */
export function toast(text, { bad = false, ms = 5000 } = {}) {
  let box = document.getElementById('toasts');
  if (!box) {
    box = el('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = el('div', { class: bad ? 'toast bad' : 'toast' }, text);
  box.append(t);
  setTimeout(() => t.remove(), ms);
}
