// The unit's digest of what is due (今日待办), above its work queue: how
// many orders are overdue, due today, due tomorrow, newly arrived and under
// supervision, each count a button that opens its list (order number,
// title, the running clock and its deadline; a click opens the order). It
// reads GET /api/v1/digest on start, again (debounced) after any live event
// about the unit's orders, and when the server's morning push arrives
// (a "digest" frame, 08:30 Beijing), which also says so in a toast.
//
// Element ids: #digest #digest-day #digest-status #digest-groups
// (button[data-group][aria-expanded] with .n) #digest-list
// (li[data-ticket]) #digest-pending.

import { $, el, debounce, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { CLOCK_KEY, lightBadge, dueText } from '../assets/portal.js';
import { word } from '../assets/words.js';

const GROUPS = [
  ['overdue', 'unit.dg_overdue'], ['due_today', 'unit.dg_today'], ['due_tomorrow', 'unit.dg_tomorrow'],
  ['arrived', 'unit.dg_arrived'], ['supervised', 'unit.dg_supervised'],
];

const D = { data: null, open: '', seq: 0, go: () => {} };

/** initDigest wires the panel; go(id) opens an order. */
export function initDigest({ go }) {
  D.go = go;
  window.addEventListener('langchange', render);
}

export async function loadDigest() {
  const seq = ++D.seq;
  $('#digest-status').textContent = D.data ? '' : t('unit.loading');
  try {
    const d = await api.get('/api/v1/digest');
    if (seq !== D.seq) return;
    D.data = d;
  } catch (err) {
    if (seq !== D.seq) return;
    $('#digest-status').textContent = `${t('unit.dg_failed')}: ${api.errorText(err, t)}`;
    return;
  }
  render();
}

export const reloadDigest = debounce(loadDigest, 1000);

/** onDigestPush handles the morning frame. */
export function onDigestPush(f) {
  toast(t('unit.dg_pushed', { overdue: f.overdue, today: f.due_today }));
  loadDigest();
}

export function clearDigest() {
  Object.assign(D, { data: null, open: '' });
  $('#digest-groups').replaceChildren();
  $('#digest-list').replaceChildren();
  $('#digest-list').hidden = true;
  $('#digest-pending').textContent = '';
  $('#digest-day').textContent = '';
}

function render() {
  const d = D.data;
  if (!d) return;
  $('#digest-day').textContent = d.day;
  $('#digest-status').textContent = d.open ? t('unit.dg_open', { n: d.open }) : t('unit.dg_nothing');
  $('#digest-groups').replaceChildren(...GROUPS.map(([key, label]) => {
    const n = d[key]?.length ?? 0;
    const b = el('button', {
      type: 'button', class: `btn small dg-chip${n ? '' : ' empty'}`, 'aria-expanded': String(D.open === key),
      dataset: { group: key, count: String(n) }, disabled: n ? null : true,
    }, t(label), ' ', el('strong', { class: 'n' }, String(n)));
    b.addEventListener('click', () => { D.open = D.open === key ? '' : key; render(); });
    return b;
  }));
  const list = $('#digest-list');
  const items = D.open ? d[D.open] ?? [] : [];
  list.hidden = !items.length;
  list.replaceChildren(...items.map(item));
  const pending = [];
  if (d.pending_returns) pending.push(t('unit.dg_returns', { n: d.pending_returns }));
  if (d.pending_extensions) pending.push(t('unit.dg_extensions', { n: d.pending_extensions }));
  if (d.truncated) pending.push(t('unit.dg_truncated'));
  $('#digest-pending').textContent = pending.join('；');
}

function item(it) {
  const li = el('li', { dataset: { ticket: it.ticket }, tabindex: '0', role: 'link' },
    it.light ? lightBadge(it.light) : null,
    el('span', { class: 'mono' }, it.ticket), ' ',
    el('span', { class: 'dg-title' }, it.title || ''),
    it.clock ? el('span', { class: 'muted small-text dg-due', title: fmtDateTime(it.due) },
      `${word(CLOCK_KEY, it.clock)} ${dueText(it.due)}`) : null,
    it.urges ? el('span', { class: 'flag warn' }, t('unit.dg_urged', { n: it.urges })) : null);
  li.addEventListener('click', () => D.go(it.ticket));
  li.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') D.go(it.ticket); });
  return li;
}
