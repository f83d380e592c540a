// The unit portal (承办单位工作台): the unit's work queue, nearest
// deadline first, with traffic lights in words (green 正常, yellow 临期,
// red 超期) and filters; the order page (#/t/ID) with its clocks, the
// citizen's contact as the API gives it (its reading is recorded by the
// server, and the page says so), the full history and the actions — accept,
// record contact, progress notes, reply with outcome, return with reason,
// ask for an extension. Every form shows the API's field errors next to the
// field; nothing is saved then. An order that is not the unit's (404 from the
// API) gets the "not yours" page and nothing else. New orders arrive over the
// live-events socket without reloading. The unit's three rates and rank for
// a month sit under the queue; the digest of what is due (digest.js) above it.
// On an order the unit holds, the 申诉 section (claims.js) files an
// unreasonable-request claim or an assessment appeal and lists its claims.
//
// Element ids that tests (and people) may rely on — keep them stable:
//
//   login     #login-view and the ids of assets/gate.js
//   top bar   #unit-name #user-name #ws-status (data-ok) #lang-toggle #logout
//             #banner #banner-text
//   arrival   #arrival #arrival-text #arrival-open #arrival-dismiss
//   queue     #queue-refresh #filters #filter-state #filter-light
//             #filter-category #filter-q #queue-status #queue-more
//             #queue-list > li[data-ticket=ID][data-light][data-state]
//             (data-new=true for an arrival not yet opened)
//   digest    see digest.js
//   rates     #rates #rates-month #rates-status #rates-list #rate-response
//             #rate-resolution #rate-satisfaction #rate-score #rate-rank
//   order     #order-none #order-loading #order-failed
//             #not-yours #not-yours-text #not-yours-back
//             #order #order-id #order-state #order-urgency #order-copy
//             #order-supervised #order-title #order-clocks-body
//             (tr[data-clock] with .light[data-light]) #order-category
//             #order-type #order-address #order-created #order-dispatched
//             #order-content #order-citizen #order-citizen-name #order-contact
//             #order-contact-note #order-notes #order-history (li[data-action])
//   claims    see claims.js (#claim-box #claim-list #claim-form …)
//   actions   #order-actions #actions-none #accept-box #accept-error
//             #act-accept #tab-contact #tab-note #tab-reply #tab-return
//             #tab-extend; forms #contact-form #note-form #reply-form
//             #return-form #extend-form, each with #<form>-error and
//             #<form>-<field> inputs whose messages are #<input id>-error:
//             #contact-content #note-content #reply-outcome (fieldset;
//             radios #reply-outcome-resolved|explained|unresolved)
//             #reply-content #return-reason #extend-days #extend-reason;
//             buttons #contact-submit #note-submit #reply-submit
//             #return-submit #extend-submit; #extend-pending
//
// Read-only debug hook: window.hotlineUnit = {queue(), order(), arrivals()}.

import { $, $$, el, clock, debounce, fmtDateTime, fmtPercent, typing, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import {
  CLOCK_KEY, OUTCOME_KEY, ref, loadReference, unitName, categoryName, tierWord,
  leafCategories, stateBadge, lightBadge, dueText, beijingMonth, historyItems, liveEvents,
} from '../assets/portal.js';
import { gate } from '../assets/gate.js';
import { TYPE_KEY, URGENCY_KEY, word } from '../assets/words.js';
import { showErrors, clearErrors } from '../assets/forms.js';
import { initDigest, loadDigest, reloadDigest, onDigestPush, clearDigest } from './digest.js';
import { initClaims, showClaims, clearClaims } from './claims.js';

const PAGE = 50;
const FORMS = ['contact', 'note', 'reply', 'return', 'extend'];
// Events that the holder's own staff cause: the open order is not reloaded for them.
const OWN_EVENTS = new Set(['accepted', 'contacted', 'noted', 'replied', 'returned', 'extension_requested']);
const ARRIVALS = new Set(['dispatched', 'reopened', 'return_approved', 'return_rejected']);
const SAVED_KEY = {
  accept: 'unit.saved_accept', contact: 'unit.saved_contact', note: 'unit.saved_note',
  reply: 'unit.saved_reply', return: 'unit.saved_return', extend: 'unit.saved_extend',
};
const CLASS_KEY = {
  advanced: 'unit.class_advanced', improved: 'unit.class_improved',
  rectify: 'unit.class_rectify', governance: 'unit.class_governance',
};

const U = {
  unit: '',
  queue: [],
  listed: false, // a list has been read
  next: null, // next_offset of the last page, if any
  open: '', // the order shown
  order: null, // it, with history
  notYours: '',
  tab: '',
  fresh: new Set(), // arrivals not opened yet
  arrivals: [], // every arrival heard, for the debug hook
  busy: false,
  qseq: 0, // the latest queue load
};
let sock = null;

// ---------------------------------------------------------------- queue

function filterQuery(offset = 0) {
  return {
    state: $('#filter-state').value, light: $('#filter-light').value, category: $('#filter-category').value,
    q: $('#filter-q').value.trim(), sort: 'deadline', limit: PAGE, offset,
  };
}

async function loadQueue({ more = false } = {}) {
  const seq = ++U.qseq;
  $('#queue-status').textContent = t('unit.loading');
  try {
    const r = await api.get('/api/v1/tickets', filterQuery(more ? U.queue.length : 0));
    if (seq !== U.qseq) return;
    U.queue = more ? [...U.queue, ...(r.tickets ?? [])] : (r.tickets ?? []);
    U.next = r.next_offset ?? null;
    U.listed = true;
    $('#banner').hidden = true;
  } catch (err) {
    if (seq !== U.qseq) return;
    $('#queue-status').textContent = '';
    if (err instanceof api.ApiError && err.status === 400) {
      $('#queue-status').textContent = Object.values(err.fields).join('; ') || err.message;
      return;
    }
    showBanner(`${t('unit.queue_failed')}: ${api.errorText(err, t)}`);
    return;
  }
  renderQueue();
}
const reloadQueue = debounce(() => loadQueue(), 250);

function renderQueue() {
  const n = U.queue.length;
  if (U.listed) $('#queue-status').textContent = n ? t(U.next != null ? 'unit.count_more' : 'unit.count', { n }) : t('unit.queue_empty');
  $('#queue-more').hidden = U.next == null;
  const focused = document.activeElement?.id;
  $('#queue-list').replaceChildren(...U.queue.map(queueItem));
  if (focused) document.getElementById(focused)?.focus();
}

function queueItem(tk) {
  const light = tk.lights?.reply || '';
  const replied = ['replied', 'closed', 'archived'].includes(tk.state);
  const li = el('li', {
    id: `q-${tk.id}`, role: 'option', 'aria-selected': String(tk.id === U.open),
    dataset: { ticket: tk.id, light, state: tk.state, new: U.fresh.has(tk.id) ? 'true' : null },
  },
  el('div', { class: 'qmain' },
    el('div', { class: 'qline' },
      lightBadge(light),
      el('span', { class: 'mono qid' }, tk.id),
      stateBadge(tk.state),
      U.fresh.has(tk.id) ? el('span', { class: 'flag bad' }, t('unit.new')) : null,
      tk.unit !== U.unit ? el('span', { class: 'flag warn' }, t('unit.copy_short')) : null,
      el('span', { class: 'qdue muted' }, replied ? t('unit.replied_at', { at: fmtDateTime(tk.replied_at) }) : dueText(tk.deadlines?.reply))),
    el('div', { class: 'qtitle' }, tk.title || tk.content),
    el('div', { class: 'qsub muted' }, [categoryName(tk.category), tk.address].filter(Boolean).join(' · '))));
  li.addEventListener('click', () => go(tk.id));
  return li;
}

function go(id) {
  if (location.hash === `#/t/${id}`) route();
  else location.hash = `#/t/${id}`;
}

function move(step) {
  if (!U.queue.length) return;
  const i = U.queue.findIndex((tk) => tk.id === U.open);
  const next = U.queue[i < 0 ? 0 : Math.min(U.queue.length - 1, Math.max(0, i + step))];
  go(next.id);
  $('#queue-list').focus();
}

function fillCategories() {
  const sel = $('#filter-category');
  const cur = sel.value;
  const groups = new Map();
  for (const c of leafCategories()) {
    if (!groups.has(c.parent)) groups.set(c.parent, []);
    groups.get(c.parent).push(c);
  }
  const nodes = [el('option', { value: '' }, t('unit.cat_all'))];
  for (const [g, list] of groups) {
    const opts = list.map((c) => el('option', { value: c.id }, c.name));
    if (g) nodes.push(el('optgroup', { label: ref.categories.get(g)?.name ?? g }, opts));
    else nodes.push(...opts);
  }
  sel.replaceChildren(...nodes);
  sel.value = cur;
}

// ---------------------------------------------------------------- the order

function route() {
  const m = /^#\/t\/([^/]+)$/.exec(location.hash);
  openOrder(m ? decodeURIComponent(m[1]) : '');
}

function show(which) {
  for (const id of ['order-none', 'order-loading', 'not-yours', 'order-failed', 'order']) $(`#${id}`).hidden = id !== which;
}

async function openOrder(id, { quiet = false } = {}) {
  U.open = id;
  U.fresh.delete(id);
  if ($('#arrival-open').dataset.ticket === id) $('#arrival').hidden = true;
  renderQueue();
  document.getElementById(`q-${id}`)?.scrollIntoView({ block: 'nearest' });
  if (!id) { U.order = null; show('order-none'); return; }
  if (!quiet) show('order-loading');
  try {
    const tk = await api.get(`/api/v1/tickets/${encodeURIComponent(id)}`);
    if (U.open !== id) return;
    U.order = tk;
    U.notYours = '';
    patchQueue(tk);
  } catch (err) {
    if (U.open !== id) return;
    U.order = null;
    if (err instanceof api.ApiError && err.status === 404) {
      // Not the unit's, or no such order: the API says the same for both
      // and so does the page. Nothing of the order is shown.
      U.notYours = id;
      $('#not-yours-text').textContent = t('unit.not_yours', { id });
      show('not-yours');
      $('#not-yours-back').focus();
      return;
    }
    $('#order-failed').textContent = `${t('unit.order_failed')}: ${api.errorText(err, t)}`;
    show('order-failed');
    return;
  }
  renderOrder();
  show('order');
}

/**
 * patchQueue brings the order's row up to date from what was just read (the
 * list is reloaded too, but a moment later): a row whose state the state
 * filter no longer shows is dropped.
 */
function patchQueue(tk) {
  const i = U.queue.findIndex((q) => q.id === tk.id);
  if (i < 0) return;
  const states = $('#filter-state').value;
  if (states && !states.split(',').includes(tk.state)) U.queue.splice(i, 1);
  else U.queue[i] = { ...U.queue[i], state: tk.state, lights: tk.lights, deadlines: tk.deadlines, version: tk.version, replied_at: tk.replied_at };
  renderQueue();
}

function renderOrder() {
  const tk = U.order;
  if (!tk) return;
  const holder = tk.unit === U.unit;
  $('#order-id').textContent = tk.id;
  $('#order-state-slot').replaceChildren(stateBadge(tk.state, 'order-state'));
  $('#order-urgency').textContent = word(URGENCY_KEY, tk.urgency);
  $('#order-urgency').dataset.urgency = tk.urgency;
  $('#order-copy').hidden = holder;
  $('#order-supervised').hidden = !tk.supervised;
  $('#order-title').textContent = tk.title || '';
  $('#order-category').textContent = categoryName(tk.category);
  $('#order-type').textContent = word(TYPE_KEY, tk.type);
  $('#order-address').textContent = tk.address || '–';
  $('#order-created').textContent = fmtDateTime(tk.created);
  $('#order-dispatched').textContent = tk.dispatched_at ? fmtDateTime(tk.dispatched_at) : '–';
  $('#order-content').textContent = tk.content || '';
  renderClocks(tk);
  renderCitizen(tk, holder);
  renderNotes(tk);
  $('#order-history').replaceChildren(...historyItems(tk.history));
  renderActions(tk, holder);
  showClaims(tk, holder);
}

function renderClocks(tk) {
  const done = { accept: tk.accepted_at, contact: tk.contacted_at, reply: tk.replied_at };
  $('#order-clocks-body').replaceChildren(...['accept', 'contact', 'reply'].filter((c) => tk.deadlines?.[c]).map((c) =>
    el('tr', { dataset: { clock: c, light: tk.lights?.[c] || '' } },
      el('th', { scope: 'row' }, word(CLOCK_KEY, c)),
      el('td', {}, fmtDateTime(tk.deadlines[c]), done[c] ? '' : el('span', { class: 'muted small-text' }, ` (${dueText(tk.deadlines[c])})`)),
      el('td', {}, lightBadge(tk.lights?.[c]), done[c] ? el('span', { class: 'muted small-text' }, ` ${t('unit.done_at', { at: fmtDateTime(done[c]) })}`) : null))));
}

function renderCitizen(tk, holder) {
  const name = tk.citizen_name || (tk.confidential ? t('unit.confidential') : '–');
  $('#order-citizen-name').textContent = name;
  const numbers = [tk.contact_number, tk.caller_number && tk.caller_number !== tk.contact_number ? tk.caller_number : '']
    .filter(Boolean).join(' / ');
  $('#order-contact').textContent = numbers || '–';
  const note = $('#order-contact-note');
  note.textContent = holder ? t('unit.contact_recorded') : t('unit.contact_masked');
  note.dataset.kind = holder ? 'recorded' : 'masked';
}

function renderNotes(tk) {
  const notes = [];
  if (tk.pending_extension) notes.push(el('p', { class: 'flag warn' }, t('unit.extension_pending', { days: tk.pending_extension.days })));
  if (tk.pending_return) notes.push(el('p', { class: 'flag warn' }, t('unit.return_pending', { reason: tk.pending_return })));
  if (tk.outcome) {
    notes.push(el('div', { class: 'subpanel reply-shown' },
      el('h3', {}, t('unit.reply_given', { outcome: word(OUTCOME_KEY, tk.outcome) })),
      el('p', { class: 'h-reason' }, tk.reply_content || '')));
  }
  $('#order-notes').replaceChildren(...notes);
}

/** allowedForms lists what the holder may do now (ticketing/lifecycle.go). */
function allowedForms(tk) {
  switch (tk.state) {
    case 'dispatched': return ['note', 'return', 'extend'];
    case 'in_progress': return [...(tk.contacted_at ? [] : ['contact']), 'note', 'reply', 'return', 'extend'];
    case 'returned': case 'replied': return ['note'];
  }
  return [];
}

function renderActions(tk, holder) {
  const forms = holder ? allowedForms(tk) : [];
  $('#accept-box').hidden = !(holder && tk.state === 'dispatched');
  const none = $('#actions-none');
  none.hidden = forms.length > 0 || !$('#accept-box').hidden;
  none.textContent = !holder ? t('unit.copy_no_actions') : t('unit.no_actions');
  $('#action-tabs').hidden = forms.length === 0;
  for (const f of FORMS) $(`#tab-${f}`).hidden = !forms.includes(f);
  if (!forms.includes(U.tab)) U.tab = forms[0] ?? '';
  const pending = tk.pending_extension;
  $('#extend-pending').hidden = !pending;
  $('#extend-pending').textContent = pending ? t('unit.extension_pending', { days: pending.days }) : '';
  selectTab(U.tab, false);
}

function selectTab(name, focus = true) {
  U.tab = name;
  for (const f of FORMS) {
    const on = f === name;
    $(`#tab-${f}`).setAttribute('aria-selected', String(on));
    $(`#tab-${f}`).tabIndex = on ? 0 : -1;
    $(`#${f}-form`).hidden = !on;
  }
  if (focus && name) $(`#${name}-form`).querySelector('textarea, input')?.focus();
}

function resetForms() {
  for (const f of FORMS) { $(`#${f}-form`).reset(); clearErrors(f); }
  clearErrors('accept');
}

// ---------------------------------------------------------------- actions

async function act(action, body, prefix) {
  const tk = U.order;
  if (!tk || U.busy) return false;
  U.busy = true;
  clearErrors(prefix);
  const button = $(`#${prefix === 'accept' ? 'act-accept' : `${prefix}-submit`}`);
  button.disabled = true;
  try {
    await api.post(`/api/v1/tickets/${encodeURIComponent(tk.id)}/${action}`, { ...body, version: tk.version });
  } catch (err) {
    const show = () => showErrors(prefix, err, { conflict: 'unit.conflict' });
    show();
    if (err instanceof api.ApiError && err.status === 409) openOrder(tk.id, { quiet: true }).then(show);
    return false;
  } finally {
    U.busy = false;
    button.disabled = false;
  }
  // The answer masks the contact; the order is read again (and that read recorded).
  resetForms();
  await openOrder(tk.id, { quiet: true });
  reloadQueue();
  return true;
}

async function submitForm(ev) {
  ev.preventDefault();
  const form = ev.target.id.replace('-form', '');
  let ok = false;
  switch (form) {
    case 'contact': ok = await act('contact', { content: $('#contact-content').value }, 'contact'); break;
    case 'note': ok = await act('note', { content: $('#note-content').value }, 'note'); break;
    case 'reply': {
      const outcome = $('input[name="reply-outcome"]:checked')?.value ?? '';
      ok = await act('reply', { outcome, content: $('#reply-content').value }, 'reply');
      break;
    }
    case 'return': ok = await act('return', { reason: $('#return-reason').value }, 'return'); break;
    case 'extend': {
      const raw = $('#extend-days').value.trim();
      const days = raw === '' ? 0 : Number(raw);
      ok = await act('extend', { days: Number.isFinite(days) ? days : 0, reason: $('#extend-reason').value }, 'extend');
      break;
    }
  }
  if (ok) toast(t(SAVED_KEY[form]));
}

// ---------------------------------------------------------------- live arrival

function onTicket(f) {
  const mine = f.unit === U.unit;
  if (mine && f.state === 'dispatched' && ARRIVALS.has(f.event)) arrived(f);
  else if (mine && f.event === 'urged') toast(t('unit.urged', { id: f.id }), { bad: true });
  if (mine || U.queue.some((tk) => tk.id === f.id)) reloadQueue();
  if (f.id === U.open && !OWN_EVENTS.has(f.event)) openOrder(f.id, { quiet: true });
}

function arrived(f) {
  U.fresh.add(f.id);
  U.arrivals.push({ id: f.id, event: f.event, at: clock.now() });
  $('#arrival-text').textContent = t('unit.arrival', { id: f.id });
  $('#arrival-open').dataset.ticket = f.id;
  $('#arrival').hidden = false;
}

// ---------------------------------------------------------------- rates

function fillMonths() {
  const sel = $('#rates-month');
  const cur = sel.value;
  const now = new Date(clock.now());
  const months = [0, 1, 2].map((back) => beijingMonth(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15)));
  sel.replaceChildren(...months.map((m) => el('option', { value: m }, m)));
  sel.value = months.includes(cur) ? cur : months[0];
}

async function loadRates() {
  const month = $('#rates-month').value;
  const status = $('#rates-status');
  status.textContent = t('unit.loading');
  $('#rates-list').hidden = true;
  let rows;
  try {
    const r = await api.get('/api/v1/assessment', { month });
    rows = (r.assessment ?? []).filter((row) => row.unit === U.unit);
  } catch (err) {
    status.textContent = err instanceof api.ApiError && err.status === 404 ? t('unit.rates_off') : `${t('unit.rates_failed')}: ${api.errorText(err, t)}`;
    return;
  }
  const row = rows[0];
  if (!row || !row.valid_callbacks) { status.textContent = t('unit.rates_none', { month }); return; }
  status.textContent = t('unit.rates_basis', { n: row.valid_callbacks });
  $('#rate-response').textContent = fmtPercent(row.response_rate);
  $('#rate-resolution').textContent = fmtPercent(row.resolution_rate);
  $('#rate-satisfaction').textContent = fmtPercent(row.satisfaction_rate);
  $('#rate-score').textContent = Number(row.score).toFixed(1);
  const parts = [row.rank ? t('unit.rank', { rank: row.rank, tier: tierWord(row.tier) }) : t('unit.unranked')];
  if (row.movement > 0) parts.push(t('unit.moved_up', { n: row.movement }));
  if (row.movement < 0) parts.push(t('unit.moved_down', { n: -row.movement }));
  if (CLASS_KEY[row.class]) parts.push(t(CLASS_KEY[row.class]));
  $('#rate-rank').textContent = parts.join(' · ');
  $('#rates-list').hidden = false;
}

// ---------------------------------------------------------------- keys, start, stop

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || $('#unit-view').hidden) return;
  const onList = ev.target.id === 'queue-list';
  if (ev.key === 'j' || ev.key === 'J' || (onList && ev.key === 'ArrowDown')) move(1);
  else if (ev.key === 'k' || ev.key === 'K' || (onList && ev.key === 'ArrowUp')) move(-1);
  else if (ev.key === '/') $('#filter-q').focus();
  else return;
  ev.preventDefault();
}

function showBanner(text) {
  $('#banner-text').textContent = text;
  $('#banner').hidden = false;
}

function start(user) {
  U.unit = user.unit ?? '';
  $('#unit-name').textContent = U.unit;
  loadReference()
    .catch((err) => toast(`${t('unit.reference_failed')}: ${api.errorText(err, t)}`, { bad: true }))
    .finally(() => {
      $('#unit-name').textContent = unitName(U.unit);
      fillCategories();
      renderQueue();
      if (U.order) renderOrder();
    });
  fillMonths();
  loadQueue();
  loadRates();
  loadDigest();
  route();
  sock = liveEvents({
    onTicket: (f) => { onTicket(f); reloadDigest(); }, onDigest: onDigestPush,
    onOnline: () => { reloadQueue(); reloadDigest(); }, onUnauthorized: () => page.signedOut(),
  });
}

function stop() {
  sock?.stop();
  sock = null;
  Object.assign(U, { unit: '', queue: [], listed: false, next: null, open: '', order: null, notYours: '', busy: false });
  U.fresh.clear();
  clearDigest();
  clearClaims();
  $('#arrival').hidden = true;
  show('order-none');
}

$('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadQueue(); });
for (const id of ['filter-state', 'filter-light', 'filter-category']) $(`#${id}`).addEventListener('change', () => loadQueue());
$('#filter-q').addEventListener('input', debounce(() => loadQueue(), 300));
$('#queue-refresh').addEventListener('click', () => loadQueue());
$('#queue-more').addEventListener('click', () => loadQueue({ more: true }));
$('#rates-month').addEventListener('change', loadRates);
$('#act-accept').addEventListener('click', async () => { if (await act('accept', {}, 'accept')) toast(t(SAVED_KEY.accept)); });
for (const f of FORMS) {
  $(`#${f}-form`).addEventListener('submit', submitForm);
  $(`#tab-${f}`).addEventListener('click', () => selectTab(f));
}
$('#action-tabs').addEventListener('keydown', (ev) => {
  if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
  const tabs = $$('#action-tabs .tab').filter((b) => !b.hidden);
  const i = tabs.indexOf(document.activeElement);
  const next = tabs[(i + (ev.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length];
  next?.focus();
  ev.preventDefault();
});
$('#arrival-open').addEventListener('click', () => { $('#arrival').hidden = true; go($('#arrival-open').dataset.ticket); });
$('#arrival-dismiss').addEventListener('click', () => { $('#arrival').hidden = true; });
$('#not-yours-back').addEventListener('click', (ev) => { ev.preventDefault(); location.hash = ''; $('#queue-list').focus(); });
window.addEventListener('hashchange', route);
initDigest({ go });
initClaims();
document.addEventListener('keydown', onKey);
window.addEventListener('langchange', () => {
  fillCategories();
  fillMonths();
  renderQueue();
  if (U.order) renderOrder();
  if (U.notYours) $('#not-yours-text').textContent = t('unit.not_yours', { id: U.notYours });
  if ($('#arrival-open').dataset.ticket) $('#arrival-text').textContent = t('unit.arrival', { id: $('#arrival-open').dataset.ticket });
  loadRates();
});
setInterval(() => { if (!$('#unit-view').hidden && U.queue.length) renderQueue(); }, 60000);

window.hotlineUnit = Object.freeze({
  queue: () => U.queue.map((tk) => tk.id),
  order: () => (U.order ? { id: U.order.id, state: U.order.state, version: U.order.version } : null),
  arrivals: () => U.arrivals.map((a) => ({ ...a })),
});

const page = gate({
  roles: ['unit'], title: 'unit.name', view: 'unit-view', who: 'user-name',
  denied: 'unit.not_allowed', expired: 'unit.expired', onStart: start, onStop: stop,
});
