// The dispatch console (派单台): the queue of orders awaiting dispatch or a
// ruling on a unit's return, most urgent and oldest first; the selected
// order with the catalogue's suggestion, its area, similar recent orders
// (possible duplicates, with merge) and the actions — dispatch (as
// suggested or to another unit), approve or reject a return, merge; bulk
// dispatch of the picked orders by their suggestions; J/K/D/X keys. The
// queue follows the live-events socket, so new orders appear by themselves.
//
// Element ids that tests (and people) may rely on — keep them stable:
//
//   login     #login-view and the ids of assets/gate.js
//   top bar   #user-name #queue-count #ws-status (data-ok) #lang-toggle
//             #logout #banner #banner-text
//   queue     #queue-refresh #select-all #bulk-dispatch #queue-status
//             #queue-list > li[data-ticket=ID][data-state] (aria-selected),
//             each with a checkbox #pick-ID and, after a failed bulk
//             dispatch, .qerr
//   order     #detail-empty #detail #detail-id #detail-state #detail-urgency
//             #detail-age #detail-title #detail-category #detail-type
//             #detail-address #detail-created #detail-content
//             #detail-history-box #detail-history
//   dispatch  #dispatch-form #dispatch-suggest #dispatch-error
//             #dispatch-unit-filter #dispatch-unit #dispatch-unit-error
//             #dispatch-copy #dispatch-reason #dispatch-reason-error
//             #dispatch-submit #dispatch-override
//   return    #return-box #return-unit #return-reason-text
//             #approve-form #approve-error #approve-unit-filter #approve-unit
//             #approve-unit-error #approve-submit
//             #reject-form #reject-error #reject-reason #reject-reason-error
//             #reject-submit
//   side      #area-tree (li[aria-current=true] is the order's street)
//             #area-method #similar-status
//             #similar-list > li[data-ticket] with a button #merge-ID
//             #merge-error
//
// Read-only debug hook: window.hotlineDispatch = {queue(), selected()}.

import { $, $$, el, debounce, fmtDateTime, typing, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import {
  ref, loadReference, unitName, categoryName, tierWord, stateBadge,
  ageText, historyItems, liveEvents,
} from '../assets/portal.js';
import { gate } from '../assets/gate.js';
import { TYPE_KEY, URGENCY_KEY, word } from '../assets/words.js';
import { showErrors, clearErrors } from '../assets/forms.js';

const QUEUE_STATES = 'pending_dispatch,returned';
const QUEUE_LIMIT = 200;
const SIMILAR_DAYS = 30;
const DISPATCHABLE_TIERS = ['street', 'district', 'district_dept', 'city_dept', 'enterprise'];

const D = {
  queue: [], // tickets as listed
  sel: '', // the selected ticket's id
  detail: null, // the selected ticket with its history
  suggestion: null, // GET /api/v1/suggest for it
  picked: new Set(),
  failed: new Map(), // id → message of a failed bulk dispatch
  busy: false,
  loadSeq: 0,
};
let sock = null;

// ---------------------------------------------------------------- queue

async function loadQueue() {
  try {
    const r = await api.get('/api/v1/tickets', { state: QUEUE_STATES, sort: 'dispatch', limit: QUEUE_LIMIT });
    D.queue = r.tickets ?? [];
    $('#banner').hidden = true;
  } catch (err) {
    showBanner(`${t('dispatch.queue_failed')}: ${api.errorText(err, t)}`);
    return;
  }
  const ids = new Set(D.queue.map((tk) => tk.id));
  for (const id of D.picked) if (!ids.has(id)) D.picked.delete(id);
  for (const id of D.failed.keys()) if (!ids.has(id)) D.failed.delete(id);
  renderQueue();
  if (!D.sel || !ids.has(D.sel)) select(D.queue[0]?.id ?? '');
}
const reloadQueue = debounce(loadQueue, 250);

function renderQueue() {
  $('#queue-count').textContent = String(D.queue.length);
  const full = D.queue.length >= QUEUE_LIMIT;
  $('#queue-status').textContent = D.queue.length ? t(full ? 'dispatch.count_more' : 'dispatch.count', { n: D.queue.length }) : '';
  const focused = document.activeElement?.id;
  $('#queue-list').replaceChildren(...D.queue.map(queueItem));
  if (focused) document.getElementById(focused)?.focus();
  const pickable = D.queue.filter((tk) => tk.state === 'pending_dispatch');
  $('#select-all').checked = pickable.length > 0 && pickable.every((tk) => D.picked.has(tk.id));
  $('#select-all').disabled = pickable.length === 0;
  $('#bulk-dispatch').textContent = t('dispatch.bulk', { n: D.picked.size });
  $('#bulk-dispatch').disabled = D.picked.size === 0 || D.busy;
  $('#detail-empty').hidden = D.queue.length > 0;
  $('#detail').hidden = !D.detail;
}

function queueItem(tk) {
  const selected = tk.id === D.sel;
  const pick = el('input', {
    type: 'checkbox', id: `pick-${tk.id}`, class: 'pick', checked: D.picked.has(tk.id),
    disabled: tk.state !== 'pending_dispatch', 'aria-label': t('dispatch.pick', { id: tk.id }),
  });
  pick.addEventListener('change', () => togglePick(tk.id, pick.checked));
  const area = [unitName(tk.district), unitName(tk.street)].filter(Boolean).join(' · ');
  const sug = tk.state === 'returned' ? t('dispatch.returned_by', { unit: unitName(tk.unit) })
    : tk.suggested_unit ? t('dispatch.suggested_short', { unit: unitName(tk.suggested_unit) }) : t('dispatch.no_suggestion');
  const li = el('li', {
    id: `q-${tk.id}`, role: 'option', 'aria-selected': String(selected),
    dataset: { ticket: tk.id, state: tk.state, urgency: tk.urgency },
  },
  pick,
  el('div', { class: 'qmain' },
    el('div', { class: 'qline' },
      el('span', { class: 'flag', dataset: { urgency: tk.urgency } }, word(URGENCY_KEY, tk.urgency)),
      tk.state === 'returned' ? el('span', { class: 'flag bad' }, t('dispatch.returned_flag')) : null,
      el('span', { class: 'mono qid' }, tk.id),
      el('span', { class: 'muted qage' }, ageText(tk.created))),
    el('div', { class: 'qtitle' }, tk.title || tk.content),
    el('div', { class: 'qsub muted' }, [area || t('dispatch.no_area'), sug].join(' · ')),
    D.failed.has(tk.id) ? el('div', { class: 'qerr' }, D.failed.get(tk.id)) : null));
  li.addEventListener('click', (ev) => { if (ev.target !== pick) select(tk.id, { focusList: true }); });
  return li;
}

function togglePick(id, on) {
  if (on) D.picked.add(id);
  else D.picked.delete(id);
  renderQueue();
}

function move(step) {
  if (!D.queue.length) return;
  const i = D.queue.findIndex((tk) => tk.id === D.sel);
  const next = D.queue[Math.min(D.queue.length - 1, Math.max(0, i + step))];
  select(next.id, { focusList: true });
}

// ---------------------------------------------------------------- the order

async function select(id, { focusList = false } = {}) {
  if (id === D.sel && D.detail) return;
  D.sel = id;
  D.detail = null;
  D.suggestion = null;
  renderQueue();
  const li = id && document.getElementById(`q-${id}`);
  li?.scrollIntoView({ block: 'nearest' });
  if (focusList) $('#queue-list').focus();
  $('#queue-list').setAttribute('aria-activedescendant', li ? li.id : '');
  if (!id) { renderDetail(); renderSide(); return; }
  const seq = ++D.loadSeq;
  try {
    const tk = await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
    if (seq !== D.loadSeq) return;
    D.detail = tk;
  } catch (err) {
    if (seq !== D.loadSeq) return;
    toast(`${t('dispatch.load_failed')}: ${api.errorText(err, t)}`, { bad: true });
    reloadQueue();
    return;
  }
  renderDetail();
  renderSide();
  loadSuggestion(seq);
  loadSimilar(seq);
}

function renderDetail() {
  const tk = D.detail;
  $('#detail').hidden = !tk;
  $('#detail-empty').hidden = !!tk || D.queue.length > 0;
  if (!tk) return;
  $('#detail-id').textContent = tk.id;
  $('#detail-state-slot').replaceChildren(stateBadge(tk.state, 'detail-state'));
  $('#detail-urgency').textContent = word(URGENCY_KEY, tk.urgency);
  $('#detail-urgency').dataset.urgency = tk.urgency;
  $('#detail-age').textContent = ageText(tk.created);
  $('#detail-title').textContent = tk.title || '';
  $('#detail-category').textContent = categoryName(tk.category);
  $('#detail-type').textContent = word(TYPE_KEY, tk.type);
  $('#detail-address').textContent = tk.address || '–';
  $('#detail-created').textContent = fmtDateTime(tk.created);
  $('#detail-content').textContent = tk.content || '';
  $('#detail-history').replaceChildren(...historyItems(tk.history));

  const returned = tk.state === 'returned';
  $('#return-box').hidden = !returned;
  $('#dispatch-form').hidden = tk.state !== 'pending_dispatch';
  for (const p of ['dispatch', 'approve', 'reject']) clearErrors(p);
  if (returned) {
    $('#return-unit').textContent = unitName(tk.unit);
    $('#return-reason-text').textContent = tk.pending_return || '';
    $('#reject-reason').value = '';
    $('#approve-unit-filter').value = '';
    fillUnits('approve', '', tk.unit, { reset: true });
  } else {
    $('#dispatch-reason').value = '';
    $('#dispatch-unit-filter').value = '';
    fillUnits('dispatch', tk.suggested_unit, '', { reset: true });
  }
  renderSuggestion();
}

async function loadSuggestion(seq) {
  const tk = D.detail;
  if (!tk?.category) return;
  const query = { category: tk.category, address: tk.address };
  if (tk.lat !== undefined && tk.lng !== undefined) Object.assign(query, { lat: tk.lat, lng: tk.lng });
  try {
    const s = await api.get('/api/v1/suggest', query);
    if (seq !== D.loadSeq) return;
    D.suggestion = s;
  } catch (err) {
    if (seq !== D.loadSeq) return;
    D.suggestion = { error: api.errorText(err, t) };
  }
  renderSuggestion();
  renderSide();
}

function renderSuggestion() {
  const box = $('#dispatch-suggest');
  const tk = D.detail;
  if (!tk) return;
  const s = D.suggestion;
  const unit = s?.unit || tk.suggested_unit;
  if (s?.error) box.replaceChildren(t('dispatch.suggest_failed'), ' ', s.error);
  else if (!unit) box.replaceChildren(el('strong', {}, t('dispatch.no_suggestion')), ' ', t('dispatch.choose_unit'));
  else {
    box.replaceChildren(
      el('span', {}, t('dispatch.suggestion')), ' ',
      el('strong', { id: 'dispatch-suggest-unit', dataset: { unit } }, unitName(unit)),
      s?.reason ? el('div', { class: 'muted small-text' }, s.reason) : null);
  }
  renderOverride();
}

/**
 * fillUnits lists the dispatchable units in #<prefix>-unit, filtered by its
 * filter box; with a filter the first match is chosen (Enter takes it),
 * without one the suggestion (or "back to the queue").
 */
function fillUnits(prefix, suggested, exclude = '', { reset = false } = {}) {
  const sel = $(`#${prefix}-unit`);
  const cur = reset ? '' : sel.value;
  const q = $(`#${prefix}-unit-filter`).value.trim().toLowerCase();
  const match = (u) => !q || [u.id, u.name, ...(u.aliases ?? [])].some((s) => s.toLowerCase().includes(q));
  const nodes = [];
  if (prefix === 'approve') nodes.push(el('option', { value: '' }, t('dispatch.back_to_queue')));
  else if (suggested) nodes.push(el('option', { value: suggested }, t('dispatch.as_suggested', { unit: unitName(suggested) })));
  else nodes.push(el('option', { value: '' }, t('dispatch.choose_unit')));
  for (const tier of DISPATCHABLE_TIERS) {
    const list = [...ref.units.values()].filter((u) => u.tier === tier && !u.disabled && u.id !== exclude && match(u));
    if (!list.length) continue;
    nodes.push(el('optgroup', { label: tierWord(tier) }, list.map((u) => el('option', { value: u.id }, u.name))));
  }
  sel.replaceChildren(...nodes);
  const values = [...sel.options].map((o) => o.value);
  if (q) sel.value = cur && values.slice(1).includes(cur) ? cur : (values[1] ?? values[0]);
  else sel.value = cur && values.includes(cur) ? cur : values[0];
  if (prefix === 'dispatch') renderOverride();
}

function renderOverride() {
  const tk = D.detail;
  if (!tk || tk.state !== 'pending_dispatch') return;
  const unit = $('#dispatch-unit').value;
  const sug = D.suggestion?.unit || tk.suggested_unit;
  $('#dispatch-override').hidden = !unit || !sug || unit === sug;
  const u = ref.units.get(unit);
  $('#dispatch-copy').textContent = u?.tier === 'street' && u.parent ? t('dispatch.copy_to', { unit: unitName(u.parent) }) : '';
}

// ---------------------------------------------------------------- side: area and similar orders

function renderSide() {
  const tk = D.detail;
  const tree = $('#area-tree');
  $('#area-method').textContent = '';
  if (!tk) { tree.replaceChildren(); $('#similar-list').replaceChildren(); $('#similar-status').textContent = ''; return; }
  const district = tk.district || D.suggestion?.district;
  const street = tk.street || D.suggestion?.street;
  if (!district) {
    tree.replaceChildren(el('li', { class: 'muted' }, t('dispatch.no_area')));
    return;
  }
  const streets = [...ref.units.values()].filter((u) => u.parent === district && u.tier === 'street');
  $('#area-method').textContent = t('dispatch.streets_n', { n: streets.length });
  const items = streets.map((u) => el('li', { 'aria-current': u.id === street ? 'true' : null, dataset: { unit: u.id } },
    u.name, u.id === street ? el('span', { class: 'here' }, t('dispatch.here')) : null));
  tree.replaceChildren(el('li', { class: 'district', dataset: { unit: district } },
    el('strong', {}, unitName(district)), el('ul', {}, items)));
  tree.querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
}

async function loadSimilar(seq) {
  const tk = D.detail;
  const list = $('#similar-list');
  list.replaceChildren();
  $('#merge-error').hidden = true;
  $('#similar-status').textContent = t('dispatch.similar_loading');
  const from = new Date(Date.now() - SIMILAR_DAYS * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  // The server scores likely duplicates by text, place and time (with its
  // reasons); the same address or category in the street, unscored, follow.
  const asks = [api.get(`/api/v1/tickets/${encodeURIComponent(tk.id)}/similar`, { days: SIMILAR_DAYS })];
  if (tk.street && tk.category) asks.push(api.get('/api/v1/tickets', { street: tk.street, category: tk.category, from, limit: 20 }));
  if (tk.address) asks.push(api.get('/api/v1/tickets', { q: tk.address, from, limit: 20 }));
  const [scored, ...rest] = await Promise.allSettled(asks);
  if (seq !== D.loadSeq) return;
  const byId = new Map();
  for (const s of Array.isArray(scored.value) ? scored.value : []) {
    if (s.ticket !== tk.id) byId.set(s.ticket, { ...s, id: s.ticket });
  }
  const others = [];
  for (const r of rest) for (const s of r.value?.tickets ?? []) if (s.id !== tk.id && !byId.has(s.id)) others.push(s);
  others.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  for (const s of others) if (!byId.has(s.id)) byId.set(s.id, s);
  const similar = [...byId.values()];
  // A server without the analytics answers 404: the unscored list stands.
  const failed = rest.some((r) => r.status === 'rejected') ||
    (scored.status === 'rejected' && !(scored.reason instanceof api.ApiError && scored.reason.status === 404));
  $('#similar-status').textContent = failed ? t('dispatch.similar_failed')
    : similar.length ? t('dispatch.similar_n', { n: similar.length }) : t('dispatch.similar_none');
  list.replaceChildren(...similar.map((s) => similarItem(tk, s)));
}

/** reasonText words the server's reason for a likely duplicate. */
function reasonText(r) {
  const parts = [r.same_address ? t('dispatch.same_address') : r.same_street ? t('dispatch.same_street') : r.same_district ? t('dispatch.same_district') : ''];
  if (r.same_category) parts.push(t('dispatch.same_category'));
  parts.push(t('dispatch.text_similarity', { pct: Math.round((r.text_similarity ?? 0) * 100) }));
  const h = Math.round(r.hours_apart ?? 0);
  parts.push(h < 48 ? t('dispatch.hours_apart', { h }) : t('dispatch.days_apart', { d: Math.round(h / 24) }));
  return parts.filter(Boolean).join('；');
}

function similarItem(tk, s) {
  const why = s.reason ? reasonText(s.reason)
    : s.address && s.address === tk.address ? t('dispatch.same_address')
      : s.category === tk.category && s.street === tk.street ? t('dispatch.same_category_street') : t('dispatch.similar_address');
  const open = !['closed', 'archived'].includes(s.state) && !s.merged_into;
  let merge = null;
  if (open) {
    merge = el('button', { id: `merge-${s.id}`, class: 'btn small', type: 'button' }, t('dispatch.merge_into'));
    merge.addEventListener('click', () => mergeInto(s.id, merge));
  }
  return el('li', { dataset: s.reason ? { ticket: s.id, scored: 'true' } : { ticket: s.id } },
    el('div', { class: 'qline' }, el('span', { class: 'mono' }, s.id), stateBadge(s.state), el('span', { class: 'muted' }, fmtDateTime(s.created))),
    el('div', { class: 'qtitle' }, s.title || s.content),
    el('div', { class: 'muted small-text' }, `${why} · ${s.address || ''}`),
    s.unit ? el('div', { class: 'muted small-text' }, t('dispatch.held_by', { unit: unitName(s.unit) })) : null,
    merge);
}

// ---------------------------------------------------------------- actions

async function act(action, body, prefix) {
  const tk = D.detail;
  if (!tk || D.busy) return null;
  D.busy = true;
  clearErrors(prefix);
  try {
    return await api.post(`/api/v1/tickets/${encodeURIComponent(tk.id)}/${action}`, { ...body, version: tk.version });
  } catch (err) {
    showErrors(prefix, err, { conflict: 'unit.conflict' });
    if (err instanceof api.ApiError && err.status === 409) refreshSelected();
    return null;
  } finally {
    D.busy = false;
  }
}

/** done removes an order that left the queue and moves to the next. */
function done(id, message) {
  toast(message);
  const i = D.queue.findIndex((tk) => tk.id === id);
  D.queue = D.queue.filter((tk) => tk.id !== id);
  D.picked.delete(id);
  const next = D.queue[Math.min(Math.max(i, 0), D.queue.length - 1)];
  D.detail = null;
  D.sel = '';
  select(next?.id ?? '', { focusList: true });
  reloadQueue();
}

function refreshSelected() {
  const id = D.sel;
  D.sel = '';
  D.detail = null;
  select(id);
}

async function dispatchSelected(asSuggested) {
  const tk = D.detail;
  if (!tk || tk.state !== 'pending_dispatch') return;
  const body = {};
  if (!asSuggested) {
    body.unit = $('#dispatch-unit').value;
    const reason = $('#dispatch-reason').value.trim();
    if (reason) body.reason = reason;
  }
  const out = await act('dispatch', body, 'dispatch');
  if (out) done(tk.id, t('dispatch.dispatched', { id: tk.id, unit: unitName(out.unit) }));
}

async function approveReturn(ev) {
  ev.preventDefault();
  const tk = D.detail;
  const out = await act('approve_return', { unit: $('#approve-unit').value }, 'approve');
  if (!out) return;
  done(tk.id, out.unit ? t('dispatch.redispatched', { id: tk.id, unit: unitName(out.unit) }) : t('dispatch.back_in_queue', { id: tk.id }));
}

async function rejectReturn(ev) {
  ev.preventDefault();
  const tk = D.detail;
  const out = await act('reject_return', { reason: $('#reject-reason').value }, 'reject');
  if (out) done(tk.id, t('dispatch.rejected', { id: tk.id, unit: unitName(out.unit) }));
}

async function mergeInto(into, button) {
  if (button.dataset.confirm !== 'true') {
    button.dataset.confirm = 'true';
    button.classList.add('danger');
    button.textContent = t('dispatch.merge_confirm', { id: into });
    setTimeout(() => {
      if (!button.isConnected) return;
      delete button.dataset.confirm;
      button.classList.remove('danger');
      button.textContent = t('dispatch.merge_into');
    }, 5000);
    return;
  }
  const tk = D.detail;
  const out = await act('merge', { into }, 'merge');
  if (out) done(tk.id, t('dispatch.merged', { id: tk.id, into }));
}

async function bulkDispatch() {
  const ids = D.queue.filter((tk) => D.picked.has(tk.id) && tk.state === 'pending_dispatch');
  if (!ids.length || D.busy) return;
  D.busy = true;
  renderQueue();
  let ok = 0;
  for (const [i, tk] of ids.entries()) {
    $('#queue-status').textContent = t('dispatch.bulk_progress', { i: i + 1, n: ids.length });
    try {
      await api.post(`/api/v1/tickets/${encodeURIComponent(tk.id)}/dispatch`, { version: tk.version });
      ok++;
      D.picked.delete(tk.id);
      D.failed.delete(tk.id);
    } catch (err) {
      const fields = err instanceof api.ApiError ? Object.values(err.fields) : [];
      D.failed.set(tk.id, fields.length ? fields.join('; ') : api.errorText(err, t));
    }
  }
  D.busy = false;
  const bad = ids.length - ok;
  toast(t(bad ? 'dispatch.bulk_partial' : 'dispatch.bulk_done', { ok, bad }), { bad: bad > 0 });
  if (D.picked.size === 0 || ok > 0) { D.sel = ''; D.detail = null; }
  await loadQueue();
  $('#queue-status').textContent = t(bad ? 'dispatch.bulk_partial' : 'dispatch.bulk_done', { ok, bad });
}

// ---------------------------------------------------------------- keys

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || $('#dispatch-view').hidden) return;
  switch (ev.key) {
    case 'j': case 'J': case 'ArrowDown':
      if (ev.key === 'ArrowDown' && ev.target.id !== 'queue-list') return;
      move(1); break;
    case 'k': case 'K': case 'ArrowUp':
      if (ev.key === 'ArrowUp' && ev.target.id !== 'queue-list') return;
      move(-1); break;
    case 'd': case 'D':
      dispatchSelected(true); break;
    case 'x': case 'X':
      if (D.detail?.state === 'pending_dispatch') togglePick(D.sel, !D.picked.has(D.sel));
      break;
    case '/':
      if (D.detail?.state === 'returned') $('#approve-unit-filter').focus();
      else $('#dispatch-unit-filter').focus();
      break;
    default:
      return;
  }
  ev.preventDefault();
}

// ---------------------------------------------------------------- start and stop

function showBanner(text) {
  $('#banner-text').textContent = text;
  $('#banner').hidden = false;
}

function start() {
  loadReference()
    .catch((err) => toast(`${t('dispatch.reference_failed')}: ${api.errorText(err, t)}`, { bad: true }))
    .finally(() => { renderQueue(); renderDetail(); renderSide(); });
  loadQueue();
  sock = liveEvents({
    onOnline: reloadQueue,
    onTicket: (f) => {
      if (['pending_dispatch', 'returned'].includes(f.state) || D.queue.some((tk) => tk.id === f.id)) reloadQueue();
    },
    onUnauthorized: () => page.signedOut(),
  });
}

function stop() {
  sock?.stop();
  sock = null;
  Object.assign(D, { queue: [], sel: '', detail: null, suggestion: null, busy: false });
  D.picked.clear();
  D.failed.clear();
}

$('#queue-refresh').addEventListener('click', loadQueue);
$('#select-all').addEventListener('change', (ev) => {
  for (const tk of D.queue) if (tk.state === 'pending_dispatch') (ev.target.checked ? D.picked.add(tk.id) : D.picked.delete(tk.id));
  renderQueue();
});
$('#bulk-dispatch').addEventListener('click', bulkDispatch);
$('#dispatch-form').addEventListener('submit', (ev) => { ev.preventDefault(); dispatchSelected(false); });
$('#approve-form').addEventListener('submit', approveReturn);
$('#reject-form').addEventListener('submit', rejectReturn);
$('#dispatch-unit').addEventListener('change', () => { clearErrors('dispatch'); renderOverride(); });
$('#dispatch-unit-filter').addEventListener('input', () => fillUnits('dispatch', D.detail?.suggested_unit));
$('#approve-unit-filter').addEventListener('input', () => fillUnits('approve', '', D.detail?.unit));
for (const id of ['dispatch-unit-filter', 'approve-unit-filter']) {
  $(`#${id}`).addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); $(`#${id.replace('-filter', '')}`).focus(); }
    if (ev.key === 'Escape') { ev.target.value = ''; ev.target.dispatchEvent(new Event('input')); $('#queue-list').focus(); }
  });
}
document.addEventListener('keydown', onKey);
window.addEventListener('langchange', () => { renderQueue(); renderDetail(); renderSide(); });
setInterval(() => { for (const n of $$('#queue-list .qage')) n.textContent = ageText(D.queue.find((tk) => tk.id === n.closest('li').dataset.ticket)?.created); }, 30000);

window.hotlineDispatch = Object.freeze({
  queue: () => D.queue.map((tk) => tk.id),
  selected: () => D.sel,
});

const page = gate({
  roles: ['dispatcher', 'admin'], title: 'dispatch.name', view: 'dispatch-view', who: 'user-name',
  denied: 'dispatch.not_allowed', expired: 'unit.expired', onStart: start, onStop: stop,
});
