// The supervision console (督办): where the late orders are (counts per
// district → street/town, per unit, per category, from GET
// /api/v1/tickets/summary), the orders of the chosen scope (overdue, about
// to be, under supervision, all open), and one order with its audit trail
// and the supervisor's actions: supervise, urge, note.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #sup-updated, #sup-refresh, #sup-auto, #banner; #group-district
// #group-unit #group-category (aria-pressed); #crumbs > button[data-level];
// #groups-total > tr; #groups-body > tr[data-key] (with td.overdue
// td.yellow td.supervised td.open, and a button.drill); #scope-label;
// #filter-overdue #filter-yellow #filter-supervised #filter-open;
// #lookup-id #lookup-go; #orders-body > tr[data-ticket=ID][data-light=
// red|yellow|green][data-supervised] with button.open; #orders-more;
// #detail-id #detail-light[data-light] #detail-state #detail-unit
// #detail-flags; #act-reason #act-reason-error #act-error #act-supervise
// #act-urge #act-note; #history > li[data-action].
//
// Read-only debug hook: window.hotlineSupervision = {state(), detail()}.

import { $, $$, el, clock, fmtDateTime, fmtTime, debounce, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';
import { showErrors, clearErrors } from '../assets/forms.js';

const HELD = ['dispatched', 'in_progress'];
const OPEN = ['pending_dispatch', 'dispatched', 'returned', 'in_progress', 'replied'];
const PAGE = 50;
const REFRESH_MS = 30000;

const STATE_KEY = {
  pending_dispatch: 'tstate.pending_dispatch', dispatched: 'tstate.dispatched', returned: 'tstate.returned',
  in_progress: 'tstate.in_progress', replied: 'tstate.replied', closed: 'tstate.closed', archived: 'tstate.archived',
};
const LIGHT_KEY = { red: 'sup.light_red', yellow: 'sup.light_yellow', green: 'sup.light_green' };
const ROLE_KEY = {
  admin: 'admin.role_admin', agent: 'admin.role_agent', dispatcher: 'admin.role_dispatcher',
  supervisor: 'admin.role_supervisor', unit: 'admin.role_unit', analyst: 'admin.role_analyst', system: 'sup.role_system',
};
const ACTION_KEY = {
  intake: 'sup.act_intake', dispatch: 'sup.act_dispatch', accept: 'sup.act_accept', contact: 'sup.act_contact',
  note: 'sup.act_note', reply: 'sup.act_reply', return: 'sup.act_return', approve_return: 'sup.act_approve_return',
  reject_return: 'sup.act_reject_return', extend: 'sup.act_extend', approve_extension: 'sup.act_approve_extension',
  deny_extension: 'sup.act_deny_extension', supervise: 'sup.act_supervise', urge: 'sup.act_urge', merge: 'sup.act_merge',
  merged_from: 'sup.act_merged_from', reopen: 'sup.act_reopen', close: 'sup.act_close', archive: 'sup.act_archive',
  pause: 'sup.act_pause', resume: 'sup.act_resume', sla: 'sup.act_sla',
};
const DIFF_KEY = {
  unit: 'sup.d_unit', copy_unit: 'sup.d_copy_unit', category: 'sup.category', urgency: 'sup.d_urgency',
  merged_into: 'sup.d_merged_into', accept_due: 'sup.d_accept_due', contact_due: 'sup.d_contact_due', reply_due: 'sup.col_due',
  accept_light: 'sup.d_accept_light', contact_light: 'sup.d_contact_light', reply_light: 'sup.d_reply_light',
  accepted_at: 'sup.d_accepted_at', contacted_at: 'sup.d_contacted_at', replied_at: 'sup.d_replied_at', closed_at: 'sup.d_closed_at',
  paused_at: 'sup.d_paused_at', outcome: 'sup.d_outcome', reply_content: 'sup.d_reply_content', pending_return: 'sup.d_pending_return',
  pending_extension: 'sup.d_pending_extension', supervised: 'sup.tag_supervised', returns: 'sup.d_returns',
  extensions: 'sup.d_extensions', reopens: 'sup.d_reopens', urges: 'sup.d_urges', triage: 'sup.d_triage',
};
const DONE_KEY = { supervise: 'sup.done_supervise', urge: 'sup.done_urge', note: 'sup.done_note' };
const GROUP_TITLE = { district: 'sup.group_district', unit: 'sup.group_unit', category: 'sup.group_category' };

const S = {
  mode: 'district', // the grouping chosen: district (drills to streets), unit, category
  scope: {},        // {district, street, unit, category}: narrows the counts and the orders
  filter: 'overdue',
  groups: null,     // the last summary
  orders: [],
  next: null,       // next_offset of the orders
  detail: null,     // the open order with its history
  units: new Map(),
  categories: new Map(),
  at: 0,
};
let timer = null;
let loads = 0; // a newer load makes an older one's answer stale

// ---------------------------------------------------------------- names

async function loadNames() {
  const [us, cs] = await Promise.all([api.get('/api/v1/units'), api.get('/api/v1/categories')]);
  S.units = new Map(us.units.map((u) => [u.id, u]));
  S.categories = new Map(cs.categories.map((c) => [c.id, c]));
}

const unitName = (id) => (id ? S.units.get(id)?.name ?? id : '');
const categoryName = (id) => (id ? S.categories.get(id)?.name ?? id : '');

// ---------------------------------------------------------------- time

function span(ms) {
  const m = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return t('sup.span_d', { d, h });
  if (h > 0) return t('sup.span_h', { h, m: m % 60 });
  if (m > 0) return t('sup.span_m', { m });
  return t('sup.span_s', { s: Math.floor(Math.abs(ms) / 1000) });
}

/** lightOf is the reply light: red as soon as a held order's deadline passed. */
function lightOf(tk) {
  const due = Date.parse(tk.deadlines?.reply ?? '');
  if (HELD.includes(tk.state) && !Number.isNaN(due) && due <= clock.now()) return 'red';
  return tk.lights?.reply || '';
}

function lightBadge(tk, id) {
  const light = lightOf(tk);
  const due = Date.parse(tk.deadlines?.reply ?? '');
  let word = light ? t(LIGHT_KEY[light]) : t('sup.light_none');
  if (light && !Number.isNaN(due) && HELD.includes(tk.state)) {
    const left = due - clock.now();
    word += ` · ${left <= 0 ? t('sup.late_by', { d: span(left) }) : t('sup.left', { d: span(left) })}`;
  }
  return el('span', { id, class: 'light-badge', dataset: { light: light || 'none' } }, word);
}

// ---------------------------------------------------------------- scope

function scopeQuery() {
  const q = {};
  for (const k of ['district', 'street', 'unit', 'category']) if (S.scope[k]) q[k] = S.scope[k];
  return q;
}

function scopeName() {
  const s = S.scope;
  if (s.street) return unitName(s.street);
  if (s.district) return unitName(s.district);
  if (s.unit) return unitName(s.unit);
  if (s.category) return categoryName(s.category);
  return t('sup.city');
}

/** summaryGroup is what the left table counts by in the current scope. */
function summaryGroup() {
  if (S.mode === 'district') return S.scope.district ? 'street' : 'district';
  return S.mode;
}

function setMode(mode) {
  S.mode = mode;
  S.scope = {};
  for (const b of $$('[data-group]')) b.setAttribute('aria-pressed', String(b.dataset.group === mode));
  refresh();
}

function drill(key) {
  const g = summaryGroup();
  if (g === 'district') S.scope = { district: key };
  else if (g === 'street') S.scope = { district: S.scope.district, street: key };
  else S.scope = { [g]: key };
  refresh();
}

function renderCrumbs() {
  const items = [el('button', { class: 'btn link', type: 'button', dataset: { level: '0' } }, t('sup.city'))];
  if (S.mode === 'district' && S.scope.district) {
    items.push(el('span', { 'aria-hidden': 'true' }, '›'),
      el('button', { class: 'btn link', type: 'button', dataset: { level: '1' } }, unitName(S.scope.district)));
  }
  const leaf = S.scope.street || S.scope.unit || S.scope.category;
  if (leaf) items.push(el('span', { 'aria-hidden': 'true' }, '›'), el('span', { class: 'crumb-here', 'aria-current': 'true' }, scopeName()));
  $('#crumbs').replaceChildren(el('span', { class: 'muted' }, t(GROUP_TITLE[S.mode])), ' ', ...items);
  for (const b of $$('#crumbs button')) {
    b.addEventListener('click', () => {
      S.scope = b.dataset.level === '1' ? { district: S.scope.district } : {};
      refresh();
    });
  }
}

// ---------------------------------------------------------------- counts

async function loadGroups(n) {
  const data = await api.get('/api/v1/tickets/summary', { group: summaryGroup(), ...groupScope() });
  if (n !== loads) return;
  S.groups = data;
  renderGroups();
}

/** groupScope narrows the counts: a district's streets; otherwise the whole city. */
function groupScope() {
  return summaryGroup() === 'street' ? { district: S.scope.district } : {};
}

function countCells(c) {
  return [
    el('td', { class: `num overdue${c.overdue ? ' hot' : ''}` }, String(c.overdue)),
    el('td', { class: `num yellow${c.yellow ? ' warm' : ''}` }, String(c.yellow)),
    el('td', { class: 'num supervised' }, String(c.supervised)),
    el('td', { class: 'num open' }, String(c.total)),
  ];
}

function renderGroups() {
  const g = S.groups;
  const selected = S.scope.street || (summaryGroup() !== 'street' && (S.scope.district || S.scope.unit || S.scope.category)) || '';
  const totalName = summaryGroup() === 'street' ? unitName(S.scope.district) : t('sup.city');
  $('#groups-total').replaceChildren(el('tr', { class: 'total' }, el('th', { scope: 'row' }, t('sup.total_of', { name: totalName })), ...countCells(g.totals)));
  $('#groups-empty').hidden = g.rows.length > 0;
  $('#groups-body').replaceChildren(...g.rows.map((c) => {
    const name = c.key ? (c.name || c.key) : t('sup.unresolved');
    const b = el('button', { class: 'btn link drill', type: 'button', title: c.key }, name);
    b.addEventListener('click', () => drill(c.key));
    return el('tr', { dataset: { key: c.key }, class: c.key === selected ? 'selected' : '' },
      el('th', { scope: 'row' }, c.key ? b : el('span', { class: 'muted' }, name)), ...countCells(c));
  }));
}

// ---------------------------------------------------------------- orders

function ordersQuery(offset = 0) {
  const q = { ...scopeQuery(), limit: PAGE, offset, sort: 'deadline' };
  switch (S.filter) {
    case 'overdue': q.overdue = 'true'; break;
    case 'yellow': q.light = 'yellow'; q.state = HELD.join(','); break;
    case 'supervised': q.supervised = 'true'; q.state = OPEN.join(','); break;
    default: q.state = HELD.join(',');
  }
  return q;
}

async function loadOrders(n, more = false) {
  const offset = more ? S.next ?? 0 : 0;
  const data = await api.get('/api/v1/tickets', ordersQuery(offset));
  if (n !== loads && !more) return;
  S.orders = more ? [...S.orders, ...data.tickets] : data.tickets;
  S.next = data.next_offset ?? null;
  renderOrders();
}

function renderOrders() {
  $('#scope-label').textContent = scopeName();
  $('#orders-empty').hidden = S.orders.length > 0;
  $('#orders-more').hidden = S.next === null;
  $('#orders-count').textContent = t('sup.shown', { n: S.orders.length });
  const open = S.detail?.id;
  $('#orders-body').replaceChildren(...S.orders.map((tk) => {
    const b = el('button', { class: 'btn link open mono', type: 'button' }, tk.id);
    b.addEventListener('click', () => openDetail(tk.id));
    const flags = [];
    if (tk.supervised) flags.push(el('span', { class: 'tag sup-tag' }, t('sup.tag_supervised')));
    return el('tr', { dataset: { ticket: tk.id, light: lightOf(tk) || 'none', supervised: String(tk.supervised) }, class: tk.id === open ? 'selected' : '' },
      el('td', {}, lightBadge(tk)),
      el('td', {}, b),
      el('td', { class: 'title-cell', title: tk.title }, ...flags, tk.title),
      el('td', { class: 'unit-cell', title: unitName(tk.unit) }, unitName(tk.unit)),
      el('td', { class: 'due' }, fmtDateTime(tk.deadlines?.reply)),
      el('td', { class: 'num' }, String(tk.counters?.urges ?? 0)));
  }));
}

// ---------------------------------------------------------------- one order

async function openDetail(id) {
  try {
    S.detail = await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
  } catch (e) {
    toastErr(e.status === 404 ? t('sup.not_found', { id }) : api.errorText(e, t));
    return;
  }
  clearErrors('act');
  renderDetail();
  renderOrders();
}

/** reloadDetail re-reads the open order (its light and trail move on). */
async function reloadDetail(n) {
  const id = S.detail?.id;
  if (!id) return;
  const d = await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
  if (n !== loads || S.detail?.id !== id) return;
  S.detail = d;
  renderDetail();
}

function renderDetail() {
  const d = S.detail;
  $('#detail-empty').hidden = !!d;
  $('#detail-body').hidden = !d;
  if (!d) return;
  $('#detail-id').textContent = d.id;
  $('#detail-light').replaceWith(lightBadge(d, 'detail-light'));
  $('#detail-title').textContent = d.title;
  $('#detail-state').textContent = STATE_KEY[d.state] ? t(STATE_KEY[d.state]) : d.state;
  $('#detail-unit').textContent = [unitName(d.unit), d.copy_unit ? t('sup.copy_to', { unit: unitName(d.copy_unit) }) : ''].filter(Boolean).join(' · ');
  $('#detail-category').textContent = categoryName(d.category);
  $('#detail-area').textContent = [unitName(d.district), unitName(d.street)].filter(Boolean).join(' › ') || d.address;
  $('#detail-due').textContent = fmtDateTime(d.deadlines?.reply);
  $('#detail-flags').replaceChildren(
    d.supervised ? el('span', { class: 'tag sup-tag' }, t('sup.tag_supervised')) : el('span', { class: 'muted' }, t('sup.not_supervised')),
    ' ', t('sup.urged_n', { n: d.counters?.urges ?? 0 }));
  $('#detail-content').textContent = d.content;
  const open = OPEN.includes(d.state);
  $('#act-supervise').disabled = !open || d.supervised;
  $('#act-urge').disabled = !HELD.includes(d.state);
  $('#act-note').disabled = !open;
  renderHistory(d.history ?? []);
}

function renderHistory(evs) {
  $('#history').replaceChildren(...[...evs].reverse().map((ev) => {
    const who = ev.actor?.id === 'system' || !ev.actor?.name ? t('sup.role_system')
      : `${ev.actor.name} · ${ROLE_KEY[ev.actor.role] ? t(ROLE_KEY[ev.actor.role]) : ev.actor.role}${ev.actor.unit ? ` · ${unitName(ev.actor.unit)}` : ''}`;
    const move = ev.from !== ev.to && ev.to ? `${t(STATE_KEY[ev.from] ?? 'sup.none')} → ${t(STATE_KEY[ev.to] ?? 'sup.none')}` : '';
    const diff = Object.entries(ev.diff ?? {}).filter(([k]) => k !== 'state')
      .map(([k, c]) => `${DIFF_KEY[k] ? t(DIFF_KEY[k]) : k}: ${diffValue(k, c.from)} → ${diffValue(k, c.to)}`).join('；');
    return el('li', { dataset: { action: ev.action } },
      el('div', { class: 'h-head' },
        el('strong', {}, ACTION_KEY[ev.action] ? t(ACTION_KEY[ev.action]) : ev.action),
        el('span', { class: 'muted' }, fmtDateTime(ev.time))),
      el('div', { class: 'muted small-text' }, who, move ? ` · ${move}` : ''),
      ev.reason ? el('div', { class: 'h-reason' }, ev.reason) : null,
      diff ? el('div', { class: 'h-diff small-text' }, diff) : null);
  }));
}

/** diffValue shows one side of a history diff: names, words, local times. */
function diffValue(field, v) {
  if (v === undefined || v === null || v === '') return '–';
  if (field.endsWith('_light')) return LIGHT_KEY[v] ? t(LIGHT_KEY[v]) : v;
  if (field === 'supervised') return t(v === 'true' ? 'sup.yes' : 'sup.no');
  if (field === 'unit' || field === 'copy_unit') return unitName(v);
  if (field === 'category') return categoryName(v);
  if (/^\d{4}-\d\d-\d\dT/.test(v)) return fmtDateTime(v);
  return v;
}

async function act(action) {
  const d = S.detail;
  if (!d) return;
  const text = $('#act-reason').value.trim();
  const body = action === 'note' ? { content: text, version: d.version } : { reason: text, version: d.version };
  const buttons = $$('#act-form button');
  for (const b of buttons) b.disabled = true;
  clearErrors('act');
  try {
    await api.post(`/api/v1/tickets/${encodeURIComponent(d.id)}/${action}`, body);
    $('#act-reason').value = '';
    toastOk(t(DONE_KEY[action], { id: d.id }));
    await openDetail(d.id);
    refresh();
  } catch (e) {
    showErrors('act', e, { map: { content: 'reason' } });
    if (e.status === 409 && e.current) { S.detail = { ...e.current, history: d.history }; renderDetail(); }
    else renderDetail();
  }
}

// ---------------------------------------------------------------- refresh

async function refresh() {
  const n = ++loads;
  renderCrumbs();
  renderFilters();
  try {
    await Promise.all([loadGroups(n), loadOrders(n), reloadDetail(n)]);
    if (n !== loads) return;
    S.at = clock.now();
    $('#sup-updated').textContent = fmtTime(S.at);
    $('#banner').hidden = true;
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('sup.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

function renderFilters() {
  for (const b of $$('[data-filter]')) b.setAttribute('aria-pressed', String(b.dataset.filter === S.filter));
}

function schedule() {
  clearInterval(timer);
  timer = $('#sup-auto').checked ? setInterval(refresh, REFRESH_MS) : null;
}

function toastOk(text) { toast(text); }
function toastErr(text) { toast(text, { bad: true }); }

// ---------------------------------------------------------------- boot

async function start() {
  try {
    await loadNames();
  } catch (e) {
    $('#banner-text').textContent = `${t('sup.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
  await refresh();
  schedule();
}

function stop() {
  clearInterval(timer);
  timer = null;
  S.detail = null;
  loads++;
}

window.addEventListener('langchange', () => { if (S.groups) { renderCrumbs(); renderGroups(); renderOrders(); renderDetail(); } });
for (const b of $$('[data-group]')) b.addEventListener('click', () => setMode(b.dataset.group));
for (const b of $$('[data-filter]')) b.addEventListener('click', () => { S.filter = b.dataset.filter; refresh(); });
for (const b of $$('#act-form [data-action]')) b.addEventListener('click', () => act(b.dataset.action));
$('#act-form').addEventListener('submit', (ev) => ev.preventDefault());
$('#act-reason').addEventListener('input', debounce(() => { if (!$('#act-reason-error').hidden) clearErrors('act'); }, 200));
$('#orders-more').addEventListener('click', () => loadOrders(loads, true).catch((e) => toastErr(api.errorText(e, t))));
$('#sup-refresh').addEventListener('click', refresh);
$('#sup-auto').addEventListener('change', schedule);
$('#lookup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const id = $('#lookup-id').value.trim();
  if (id) openDetail(id);
});
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); refresh(); }
});

window.hotlineSupervision = Object.freeze({
  state: () => ({ mode: S.mode, scope: { ...S.scope }, filter: S.filter, orders: S.orders.map((o) => o.id), at: S.at }),
  detail: () => (S.detail ? structuredClone(S.detail) : null),
});

gate({ roles: ['supervisor', 'admin'], title: 'sup.name', forbidden: 'sup.forbidden', expired: 'admin.expired', onStart: start, onStop: stop });
