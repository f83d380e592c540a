// The callback console (回访管理): the robot's switch (GET
// /api/v1/callbacks/scheduler, pause and resume), the schedule of
// satisfaction callbacks (GET /api/v1/callbacks with state, ticket and date
// filters, paged) with each row's actions (pause, resume, skip with a
// reason, re-run: POST /api/v1/tickets/{id}/callback/{op}), one ticket's
// callbacks, attempts and answer records (GET /api/v1/tickets/{id}/callback)
// and the form for the answers of a call made by hand (POST
// /api/v1/tickets/{id}/callback/answers). Supervisors and the admin steer
// the robot; callback agents see what the API lets them (a ticket's panel
// and the answers form) and are told the rest is not theirs. The API's
// field errors are shown next to the fields; nothing is saved then.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #cb-updated, #cb-refresh, #banner; #robot-state[data-light]
// #robot-info #robot-denied #sw-form #sw-reason #sw-reason-error #sw-error
// #sw-toggle[data-op=pause|resume]; #list-denied #flt-form
// #flt-state > button[data-state][aria-pressed] #flt-ticket #flt-from
// #flt-to (each with -error) #flt-go #flt-error #list-count;
// #cb-scroll #cb-body > tr[data-callback=ID][data-state] with button.open-ticket
// [data-ticket] and button[data-op]; the row's editor tr.act-row with
// #cb-ID-ticket (several tickets) #cb-ID-reason #cb-ID-reason-error
// #cb-ID-error button.confirm button.cancel; #cb-empty #pager #page-prev
// #page-next #page-info; #tk-id #tk-go #tk-id-error #tk-error #tk-none
// #tk-body #tk-ticket #tk-state; #tk-callbacks > li[data-callback]
// [data-state] (ol.attempts > li[data-result]); #tk-answers >
// li[data-answer][data-valid][data-manual]; #ans-form #ans-reached
// #ans-contacted #ans-resolved #ans-satisfaction (fieldsets of radios
// named like them, value "" for 未答) #ans-called_at #ans-note (each with
// -error) #ans-error #ans-done #ans-submit.
//
// Read-only debug hook: window.hotlineCallbacks = {state()}.

import { $, $$, el, clock, fmtDateTime, fmtTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';
import { showErrors, clearErrors, busy } from '../assets/forms.js';

const PAGE = 50;
const REFRESH_MS = 30000;
const CONTROLLERS = ['supervisor', 'admin'];
const STATE_KEY = {
  pending: 'cb.st_pending', calling: 'cb.st_calling', done: 'cb.st_done',
  unreachable: 'cb.st_unreachable', skipped: 'cb.st_skipped', paused: 'cb.st_paused',
};
const RESULT_KEY = {
  answered: 'cb.res_answered', no_answer: 'cb.res_no_answer', busy: 'cb.res_busy',
  unreachable: 'cb.res_unreachable', failed: 'cb.res_failed', hung_up: 'cb.res_hung_up',
};
const OP_KEY = { pause: 'cb.op_pause', resume: 'cb.op_resume', skip: 'cb.op_skip', rerun: 'cb.op_rerun' };
const DONE_KEY = { pause: 'cb.done_pause', resume: 'cb.done_resume', skip: 'cb.done_skip', rerun: 'cb.done_rerun' };
const SAT_KEY = { satisfied: 'cb.sat_satisfied', basic: 'cb.sat_basic', dissatisfied: 'cb.sat_dissatisfied' };
const TSTATE_KEY = {
  pending_dispatch: 'tstate.pending_dispatch', dispatched: 'tstate.dispatched', returned: 'tstate.returned',
  in_progress: 'tstate.in_progress', replied: 'tstate.replied', closed: 'tstate.closed', archived: 'tstate.archived',
};
// What a supervisor may do to a callback in each state (docs/api.md).
const OPS = { pending: ['pause', 'skip'], paused: ['resume', 'skip'], calling: [], done: ['rerun'], unreachable: ['rerun'], skipped: ['rerun'] };

const S = {
  control: false,   // the user steers the robot (supervisor, admin)
  sw: null,         // the robot's switch, or null when not readable
  list: [],
  offset: 0,
  next: null,       // next_offset of the page shown
  editing: null,    // {id, op}: the row whose action is being confirmed
  ticket: '',       // the ticket in the panel
  tdata: null,      // its {callbacks, answers, ticket}
  fresh: 0,         // id of the answer record just entered
  at: 0,
};
let loads = 0;
let timer = null;

const word = (table, key) => (table[key] ? t(table[key]) : key || '–');
const yesNo = (b) => (b === true ? t('cb.yes') : b === false ? t('cb.no') : t('cb.unanswered'));

// ---------------------------------------------------------------- the robot's switch

async function loadSwitch() {
  try {
    S.sw = await api.get('/api/v1/callbacks/scheduler');
  } catch (e) {
    if (!(e instanceof api.ApiError) || e.status !== 403) throw e;
    S.sw = null;
  }
  renderSwitch();
}

function renderSwitch() {
  const sw = S.sw;
  $('#robot-denied').hidden = !!sw;
  $('#sw-form').hidden = !sw || !S.control;
  const badge = $('#robot-state');
  badge.hidden = !sw;
  if (!sw) { $('#robot-info').textContent = ''; return; }
  badge.dataset.light = sw.paused ? 'red' : 'green';
  badge.textContent = t(sw.paused ? 'cb.robot_paused' : 'cb.robot_running');
  const vars = { by: sw.by_name || sw.by || '–', at: fmtDateTime(sw.since) };
  const info = !sw.since ? t('cb.robot_never') : t(sw.paused ? 'cb.robot_paused_by' : 'cb.robot_resumed_by', vars);
  $('#robot-info').textContent = sw.reason ? `${info} ${t('cb.robot_reason', { reason: sw.reason })}` : info;
  const op = sw.paused ? 'resume' : 'pause';
  $('#sw-toggle').dataset.op = op;
  $('#sw-toggle').className = `btn small ${sw.paused ? 'primary' : 'danger'}`;
  $('#sw-toggle').textContent = t(sw.paused ? 'cb.robot_resume' : 'cb.robot_pause');
}

async function toggleSwitch(ev) {
  ev.preventDefault();
  const op = $('#sw-toggle').dataset.op;
  const form = $('#sw-form');
  busy(form, true);
  clearErrors('sw');
  try {
    S.sw = await api.post(`/api/v1/callbacks/scheduler/${op}`, { reason: $('#sw-reason').value.trim() });
    $('#sw-reason').value = '';
    toast(t(op === 'pause' ? 'cb.robot_done_pause' : 'cb.robot_done_resume'));
    renderSwitch();
  } catch (e) {
    showErrors('sw', e);
  } finally {
    busy(form, false);
  }
}

// ---------------------------------------------------------------- the list

function listQuery() {
  const states = $$('#flt-state [data-state]').filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.dataset.state);
  return {
    state: states.join(','), ticket: $('#flt-ticket').value.trim(), from: $('#flt-from').value, to: $('#flt-to').value,
    limit: PAGE, offset: S.offset,
  };
}

async function loadList(n) {
  if (!S.control) { renderList(); return; }
  let data;
  try {
    data = await api.get('/api/v1/callbacks', listQuery());
  } catch (e) {
    if (n !== loads) return;
    if (e instanceof api.ApiError && e.status === 400) { showErrors('flt', e); return; }
    throw e;
  }
  if (n !== loads) return;
  clearErrors('flt');
  S.list = data.callbacks ?? [];
  S.next = data.next_offset ?? null;
  if (S.editing && !S.list.some((cb) => cb.id === S.editing.id)) S.editing = null;
  renderList();
}

function renderList() {
  $('#list-denied').hidden = S.control;
  $('#cb-grid').classList.toggle('no-list', !S.control);
  for (const id of ['flt-form', 'cb-scroll', 'pager']) document.getElementById(id).hidden = !S.control;
  if (!S.control) return;
  $('#cb-empty').hidden = S.list.length > 0;
  $('#page-prev').disabled = S.offset === 0;
  $('#page-next').disabled = S.next === null;
  $('#page-info').textContent = S.list.length ? t('cb.page', { from: S.offset + 1, to: S.offset + S.list.length }) : '';
  $('#list-count').textContent = t('cb.shown', { n: S.list.length });
  const rows = [];
  for (const cb of S.list) {
    rows.push(listRow(cb));
    if (S.editing?.id === cb.id) rows.push(editorRow(cb, S.editing.op));
  }
  $('#cb-body').replaceChildren(...rows);
}

function stateBadge(state) {
  return el('span', { class: 'cb-state', dataset: { state } }, word(STATE_KEY, state));
}

function listRow(cb) {
  const tickets = cb.tickets.map((id) => {
    const b = el('button', { class: 'btn link open-ticket mono', type: 'button', dataset: { ticket: id } }, id);
    b.addEventListener('click', () => go(id));
    return b;
  });
  const ops = (OPS[cb.state] ?? []).map((op) => {
    const b = el('button', { class: `btn small${op === 'skip' ? ' danger-text' : ''}`, type: 'button', dataset: { op } }, t(OP_KEY[op]));
    b.addEventListener('click', () => edit(cb.id, op));
    return b;
  });
  const last = cb.state === 'skipped' && cb.reason ? [word(RESULT_KEY, cb.last_result), el('div', { class: 'muted small-text why' }, cb.reason)]
    : [cb.last_result ? word(RESULT_KEY, cb.last_result) : '–'];
  const open = cb.tickets.includes(S.ticket);
  return el('tr', { dataset: { callback: String(cb.id), state: cb.state }, class: open ? 'selected' : '' },
    el('td', { class: 'tickets' }, ...tickets),
    el('td', { class: 'mono number' }, cb.contact_number || '–'),
    el('td', {}, stateBadge(cb.state)),
    el('td', { class: 'when' }, fmtDateTime(cb.due) || '–'),
    el('td', { class: 'when' }, fmtDateTime(cb.planned) || '–'),
    el('td', { class: 'num' }, String(cb.attempts)),
    el('td', { class: 'last' }, ...last),
    el('td', { class: 'actions' }, ...ops));
}

/** editorRow asks for the reason of op on cb (required to skip) and shows the API's answer. */
function editorRow(cb, op) {
  const p = `cb-${cb.id}`;
  const form = el('form', { class: 'act-inline', action: '#', novalidate: true },
    cb.tickets.length > 1 ? el('label', { for: `${p}-ticket` }, t('cb.act_ticket')) : null,
    cb.tickets.length > 1 ? el('select', { id: `${p}-ticket` }, ...cb.tickets.map((id) => el('option', { value: id }, id))) : null,
    el('label', { for: `${p}-reason` }, t(op === 'skip' ? 'cb.act_reason_required' : 'cb.act_reason')),
    el('input', { id: `${p}-reason`, type: 'text', autocomplete: 'off', maxlength: '2000', 'aria-describedby': `${p}-reason-error` }),
    el('button', { class: `btn small ${op === 'skip' ? 'danger' : 'primary'} confirm`, type: 'submit' }, t(OP_KEY[op])),
    el('button', { class: 'btn small cancel', type: 'button' }, t('cb.cancel')),
    el('div', { id: `${p}-reason-error`, class: 'field-error', hidden: true }),
    el('div', { id: `${p}-error`, class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); runOp(cb, op, form); });
  form.querySelector('.cancel').addEventListener('click', () => { S.editing = null; renderList(); focusRow(cb.id, op); });
  form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { S.editing = null; renderList(); focusRow(cb.id, op); } });
  if (cb.tickets.length > 1 && cb.tickets.includes(S.ticket)) form.querySelector('select').value = S.ticket;
  return el('tr', { class: 'act-row', dataset: { callback: String(cb.id), op } }, el('td', { colspan: '8' }, form));
}

function edit(id, op) {
  S.editing = { id, op };
  renderList();
  document.getElementById(`cb-${id}-reason`)?.focus();
}

function focusRow(id, op) {
  $(`#cb-body tr[data-callback="${id}"] button[data-op="${op}"]`)?.focus();
}

async function runOp(cb, op, form) {
  const p = `cb-${cb.id}`;
  const ticket = document.getElementById(`${p}-ticket`)?.value || cb.tickets[0];
  busy(form, true);
  clearErrors(p);
  try {
    await api.post(`/api/v1/tickets/${encodeURIComponent(ticket)}/callback/${op}`, { reason: document.getElementById(`${p}-reason`).value.trim() });
  } catch (e) {
    busy(form, false);
    showErrors(p, e);
    return;
  }
  S.editing = null;
  toast(t(DONE_KEY[op], { id: ticket }));
  await refresh();
  if (S.ticket === ticket || !S.ticket) await openTicket(ticket);
}

// ---------------------------------------------------------------- one ticket

function go(id) {
  if (location.hash === `#/t/${id}`) openTicket(id);
  else location.hash = `#/t/${id}`;
}

function route() {
  const m = /^#\/t\/([^/]+)$/.exec(location.hash);
  if (m) openTicket(decodeURIComponent(m[1]));
}

async function openTicket(id) {
  clearErrors('tk');
  $('#tk-id').value = id;
  let data;
  let tk = null;
  try {
    [data, tk] = await Promise.all([
      api.get(`/api/v1/tickets/${encodeURIComponent(id)}/callback`),
      api.get(`/api/v1/tickets/${encodeURIComponent(id)}`).catch(() => null),
    ]);
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 404 && !e.message.includes('not enabled')) {
      showErrors('tk', new api.ApiError(404, { message: t('cb.tk_not_found', { id }), fields: { id: t('cb.tk_not_found', { id }) } }));
    } else {
      showErrors('tk', e);
    }
    return;
  }
  if (S.ticket !== id) { resetAnswers(); $('#ans-done').hidden = true; }
  S.ticket = id;
  S.tdata = { ...data, ticket: tk };
  renderTicket();
  renderList();
}

function renderTicket() {
  const d = S.tdata;
  $('#tk-none').hidden = !!d;
  $('#tk-body').hidden = !d;
  if (!d) return;
  $('#tk-ticket').textContent = S.ticket;
  $('#tk-state').textContent = d.ticket ? [word(TSTATE_KEY, d.ticket.state), d.ticket.title].filter(Boolean).join(' · ') : '';
  $('#tk-callbacks-empty').hidden = d.callbacks.length > 0;
  $('#tk-callbacks').replaceChildren(...[...d.callbacks].reverse().map(callbackItem));
  $('#tk-answers-empty').hidden = d.answers.length > 0;
  $('#tk-answers').replaceChildren(...[...d.answers].reverse().map(answerItem));
}

function callbackItem(cb) {
  const attempts = cb.history.map((a) => el('li', { dataset: { result: a.result || '' } },
    fmtDateTime(a.started), a.ended ? ` – ${fmtTime(a.ended)}` : '', ' · ', a.result ? word(RESULT_KEY, a.result) : t('cb.in_progress')));
  return el('li', { dataset: { callback: String(cb.id), state: cb.state } },
    el('div', { class: 'h-head' }, stateBadge(cb.state), el('span', { class: 'muted small-text' }, `#${cb.id}`),
      el('span', { class: 'muted small-text' }, t('cb.due_at', { at: fmtDateTime(cb.due) || '–' }))),
    el('div', { class: 'small-text' }, t('cb.attempts_n', { n: cb.attempts }),
      cb.planned ? ` · ${t('cb.planned_at', { at: fmtDateTime(cb.planned) })}` : '',
      cb.tickets.length > 1 ? ` · ${t('cb.with_tickets', { list: cb.tickets.filter((x) => x !== S.ticket).join(', ') })}` : ''),
    cb.reason ? el('div', { class: 'why small-text' }, cb.reason) : null,
    attempts.length ? el('ol', { class: 'attempts' }, ...attempts) : null);
}

function answerItem(a) {
  const facts = a.reached
    ? [`${t('cb.ans_contacted_short')}: ${yesNo(a.contacted)}`, `${t('cb.ans_resolved_short')}: ${yesNo(a.resolved)}`,
      `${t('cb.ans_satisfaction_short')}: ${a.satisfaction ? word(SAT_KEY, a.satisfaction) : t('cb.unanswered')}`]
    : [t('cb.not_reached')];
  const source = a.manual ? t('cb.manual_by', { by: a.by || '–' }) : t('cb.robot_call');
  return el('li', { dataset: { answer: String(a.id), valid: String(a.valid), manual: String(a.manual) }, class: a.id === S.fresh ? 'fresh' : '' },
    el('div', { class: 'h-head' },
      el('span', { class: `tag ${a.valid ? 'ok-tag' : 'off-tag'}` }, t(a.valid ? 'cb.valid' : 'cb.invalid')),
      el('strong', {}, fmtDateTime(a.called_at)),
      el('span', { class: 'muted small-text' }, source)),
    el('div', { class: 'small-text facts' }, facts.join(' · ')),
    el('div', { class: 'muted small-text' }, [a.recording ? t('cb.recording', { name: a.recording }) : '',
      a.excluded ? t('cb.excluded') : ''].filter(Boolean).join(' · ')));
}

// ---------------------------------------------------------------- manual answers

function radio(name) {
  const v = $(`input[name="${name}"]:checked`)?.value ?? '';
  return v === '' ? null : v;
}

function answersBody() {
  const reached = $('#ans-reached').checked;
  const body = { reached, note: $('#ans-note').value.trim() };
  if (reached) {
    const c = radio('ans-contacted');
    const r = radio('ans-resolved');
    body.contacted = c === null ? null : c === 'yes';
    body.resolved = r === null ? null : r === 'yes';
    body.satisfaction = radio('ans-satisfaction');
  }
  // datetime-local is Beijing time, as every time the pages show.
  const at = $('#ans-called_at').value;
  if (at) body.called_at = `${at.length === 16 ? `${at}:00` : at}+08:00`;
  return body;
}

async function submitAnswers(ev) {
  ev.preventDefault();
  if (!S.ticket) return;
  const form = $('#ans-form');
  busy(form, true);
  clearErrors('ans');
  $('#ans-done').hidden = true;
  let res;
  try {
    res = await api.post(`/api/v1/tickets/${encodeURIComponent(S.ticket)}/callback/answers`, answersBody());
  } catch (e) {
    showErrors('ans', e);
    return;
  } finally {
    busy(form, false);
  }
  const r = res.record;
  S.fresh = r.id;
  resetAnswers();
  const done = $('#ans-done');
  done.replaceChildren(el('strong', {}, t('cb.ans_saved', { id: r.id })), ' ',
    t(r.valid ? 'cb.ans_saved_valid' : 'cb.ans_saved_invalid'), res.reopened ? ` ${t('cb.ans_reopened')}` : '');
  done.hidden = false;
  await openTicket(S.ticket);
  refresh();
}

function resetAnswers() {
  $('#ans-form').reset();
  clearErrors('ans');
  reachedChanged();
}

function reachedChanged() {
  const on = $('#ans-reached').checked;
  for (const id of ['ans-contacted', 'ans-resolved', 'ans-satisfaction']) $(`#${id}`).disabled = !on;
}

// ---------------------------------------------------------------- refresh

async function refresh() {
  const n = ++loads;
  try {
    await Promise.all([loadSwitch(), loadList(n)]);
    if (n !== loads) return;
    S.at = clock.now();
    $('#cb-updated').textContent = fmtTime(S.at);
    $('#banner').hidden = true;
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('cb.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

function setPage(offset) {
  S.offset = Math.max(0, offset);
  S.editing = null;
  refresh();
}

// ---------------------------------------------------------------- boot

function start(user) {
  S.control = CONTROLLERS.includes(user.role);
  renderList();
  refresh();
  route();
  timer = setInterval(() => { if (!S.editing && !document.hidden) refresh(); }, REFRESH_MS);
}

function stop() {
  clearInterval(timer);
  timer = null;
  loads++;
  Object.assign(S, { sw: null, list: [], offset: 0, next: null, editing: null, ticket: '', tdata: null, fresh: 0 });
  renderTicket();
}

for (const b of $$('#flt-state [data-state]')) {
  b.addEventListener('click', () => {
    b.setAttribute('aria-pressed', String(b.getAttribute('aria-pressed') !== 'true'));
    setPage(0);
  });
}
$('#flt-form').addEventListener('submit', (ev) => { ev.preventDefault(); setPage(0); });
$('#page-prev').addEventListener('click', () => setPage(S.offset - PAGE));
$('#page-next').addEventListener('click', () => { if (S.next !== null) setPage(S.next); });
$('#sw-form').addEventListener('submit', toggleSwitch);
$('#tk-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const id = $('#tk-id').value.trim();
  if (id) go(id);
});
$('#ans-form').addEventListener('submit', submitAnswers);
$('#ans-reached').addEventListener('change', reachedChanged);
$('#cb-refresh').addEventListener('click', refresh);
window.addEventListener('hashchange', route);
window.addEventListener('langchange', () => { renderSwitch(); renderList(); renderTicket(); });
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); refresh(); }
});

window.hotlineCallbacks = Object.freeze({
  state: () => ({
    control: S.control, paused: S.sw?.paused ?? null, list: S.list.map((cb) => ({ id: cb.id, state: cb.state, tickets: [...cb.tickets] })),
    offset: S.offset, ticket: S.ticket, at: S.at,
  }),
});

gate({ roles: ['supervisor', 'admin', 'agent'], title: 'cb.name', forbidden: 'cb.forbidden', expired: 'admin.expired', onStart: start, onStop: stop });
