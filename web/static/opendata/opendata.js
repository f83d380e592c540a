// The open-data page (开放数据): analysts, supervisors and the admin request
// anonymised exports (POST /api/v1/opendata/requests); supervisors and the
// admin approve or reject other people's requests
// (POST /api/v1/opendata/requests/{id}/approve|reject); the requester (or
// the admin) downloads an approved export as CSV
// (GET /api/v1/opendata/requests/{id}/download); the download log
// (GET /api/v1/opendata/downloads) shows who took what, when, and the
// file's SHA-256.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #od-refresh, #banner; #req-form with #req-partner #req-purpose
// #req-from #req-to #req-fields (checkboxes input[name=field][value]),
// #req-error #req-submit; #od-state; #od-list > li[data-request][data-state]
// with #od-ID-note #od-ID-error button.approve button.reject
// button.download button.show-log; #od-empty; #log-scope, #log-body >
// tr[data-download]; #log-empty.
//
// Read-only debug hook: window.hotlineOpenData = {state()}.

import { $, $$, el, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';
import { showErrors, clearErrors, busy, value } from '../assets/forms.js';

const FIELDS = ['pseudonym', 'created_hour', 'channel', 'type', 'category', 'district', 'street',
  'title', 'content', 'outcome', 'reply', 'replied_in_hours', 'contacted', 'resolved', 'satisfaction'];
const FIELD_KEY = {
  pseudonym: 'od.f_pseudonym', created_hour: 'od.f_created_hour', channel: 'od.f_channel', type: 'od.f_type',
  category: 'od.f_category', district: 'od.f_district', street: 'od.f_street', title: 'od.f_title',
  content: 'od.f_content', outcome: 'od.f_outcome', reply: 'od.f_reply', replied_in_hours: 'od.f_replied_in_hours',
  contacted: 'od.f_contacted', resolved: 'od.f_resolved', satisfaction: 'od.f_satisfaction',
};
const STATE_KEY = { pending: 'od.state_pending', approved: 'od.state_approved', rejected: 'od.state_rejected' };
const DECIDERS = ['supervisor', 'admin'];

const S = {
  user: null,
  state: '',
  requests: [],
  downloads: [],
  logRequest: 0,      // 0: the whole log (supervisors, admin); else one request's
  notes: new Map(),   // request id → the note being typed
  download: null,     // the last download: {name, size}
};
let loads = 0;

const canDecide = (r) => DECIDERS.includes(S.user?.role) && r.state === 'pending' && r.requester !== S.user?.id;
const canDownload = (r) => r.state === 'approved' && (r.requester === S.user?.id || S.user?.role === 'admin');
const seesWholeLog = () => DECIDERS.includes(S.user?.role);

// ---------------------------------------------------------------- render

/** button builds a small button that runs fn(button) when clicked. */
function button(cls, key, fn) {
  const b = el('button', { class: `btn small ${cls}`, type: 'button' }, t(key));
  b.addEventListener('click', () => fn(b));
  return b;
}

function renderFieldChoices() {
  $('#req-field-list').replaceChildren(...FIELDS.map((f) => el('label', { class: 'od-check' },
    el('input', { type: 'checkbox', name: 'field', value: f, checked: true, disabled: f === 'pseudonym' }),
    ' ', t(FIELD_KEY[f]))));
}

function decideForm(r) {
  const p = `od-${r.id}`;
  const note = el('input', { id: `${p}-note`, value: S.notes.get(r.id) ?? '', autocomplete: 'off', 'aria-label': t('od.note') });
  note.addEventListener('input', () => S.notes.set(r.id, note.value));
  return el('div', { class: 'od-decide', id: `${p}-form` },
    el('label', { for: `${p}-note` }, t('od.note')), note,
    el('div', { id: `${p}-note-error`, class: 'field-error', hidden: true }),
    el('div', { class: 'od-actions' },
      button('primary approve', 'od.approve', () => decide(r, true)),
      button('reject', 'od.reject', () => decide(r, false))));
}

function requestItem(r) {
  const period = t('od.period', { from: r.from, to: r.to });
  const fields = r.fields.map((f) => t(FIELD_KEY[f] ?? f)).join('、');
  const who = t('od.requested_by', { name: r.requester_name || r.requester, at: fmtDateTime(r.created) });
  const decided = r.decided ? t('od.decided_by', { name: r.decided_by_name || r.decided_by, at: fmtDateTime(r.decided) }) : '';
  const actions = [];
  if (canDownload(r)) actions.push(button('primary download', 'od.download', (b) => download(r, b)));
  actions.push(button('show-log', 'od.show_log', () => showLog(r.id)));
  return el('li', { class: 'od-item', dataset: { request: String(r.id), state: r.state } },
    el('div', { class: 'od-head' },
      el('span', { class: 'od-id' }, `#${r.id}`),
      el('span', { class: 'od-partner' }, r.partner),
      el('span', { class: 'od-state-word', dataset: { state: r.state } }, t(STATE_KEY[r.state] ?? r.state))),
    el('div', { class: 'od-purpose' }, r.purpose),
    el('div', { class: 'muted small-text' }, period, ' · ', who),
    el('div', { class: 'muted small-text od-field-names' }, `${t('od.fields')}: ${fields}`),
    decided ? el('div', { class: 'small-text' }, decided, r.note ? ` — ${r.note}` : '') : '',
    canDecide(r) ? decideForm(r) : '',
    el('div', { id: `od-${r.id}-error`, class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    el('div', { class: 'od-actions' }, ...actions));
}

function renderRequests() {
  $('#od-empty').hidden = S.requests.length > 0;
  $('#od-list').replaceChildren(...S.requests.map(requestItem));
}

function renderLog() {
  $('#log-scope').textContent = S.logRequest ? t('od.log_of', { id: S.logRequest }) : (seesWholeLog() ? t('od.log_all') : t('od.log_pick'));
  $('#log-empty').hidden = S.downloads.length > 0;
  $('#log-body').replaceChildren(...S.downloads.map((d) => el('tr', { dataset: { download: String(d.id) } },
    el('td', {}, fmtDateTime(d.at)),
    el('td', { class: 'num' }, `#${d.request}`),
    el('td', {}, d.by_name || d.by),
    el('td', { class: 'num' }, String(d.rows)),
    el('td', { class: 'num' }, String(d.bytes)),
    el('td', { class: 'od-sha', title: d.sha256 }, d.sha256.slice(0, 16)),
    el('td', { dataset: { complete: String(d.complete) } }, t(d.complete ? 'od.complete_yes' : 'od.complete_no')))));
}

function render() {
  renderRequests();
  renderLog();
}

// ---------------------------------------------------------------- load

async function load() {
  const n = ++loads;
  try {
    const list = await api.get('/api/v1/opendata/requests', { state: S.state, limit: 200 });
    let log = { downloads: [] };
    if (S.logRequest || seesWholeLog()) {
      log = await api.get('/api/v1/opendata/downloads', S.logRequest ? { request: S.logRequest, limit: 200 } : { limit: 200 });
    }
    if (n !== loads) return;
    S.requests = list.requests ?? [];
    S.downloads = log.downloads ?? [];
    $('#banner').hidden = true;
    render();
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('od.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

function showLog(id) {
  S.logRequest = id;
  load();
}

// ---------------------------------------------------------------- actions

async function submit(ev) {
  ev.preventDefault();
  const form = $('#req-form');
  clearErrors('req');
  busy(form, true);
  const fields = $$('#req-field-list input[name="field"]').filter((c) => c.checked).map((c) => c.value);
  try {
    const r = await api.post('/api/v1/opendata/requests', {
      partner: value('req', 'partner'), purpose: value('req', 'purpose'),
      from: value('req', 'from'), to: value('req', 'to'), fields,
    });
    toast(t('od.submitted', { id: r.id }));
    form.reset();
    renderFieldChoices();
    await load();
  } catch (e) {
    showErrors('req', e);
  } finally {
    busy(form, false);
  }
}

async function decide(r, approve) {
  const p = `od-${r.id}`;
  const buttons = $$(`#${p}-form button`);
  for (const b of buttons) b.disabled = true;
  clearErrors(p);
  try {
    await api.post(`/api/v1/opendata/requests/${r.id}/${approve ? 'approve' : 'reject'}`,
      { note: $(`#${p}-note`).value.trim(), version: r.version });
    S.notes.delete(r.id);
    toast(t(approve ? 'od.done_approve' : 'od.done_reject', { id: r.id }));
    await load();
  } catch (e) {
    for (const b of buttons) b.disabled = false;
    showErrors(p, e);
  }
}

/** download fetches an approved export with the session's token and saves it. */
async function download(r, btn) {
  btn.disabled = true;
  try {
    const { name, size } = await api.download(`/api/v1/opendata/requests/${r.id}/download`, {}, `opendata-${r.id}.csv`);
    S.download = { name, size };
    toast(t('od.downloaded', { name }));
    S.logRequest = r.id;
    await load();
  } catch (e) {
    toast(`${t('od.download_failed')}: ${api.errorText(e, t)}`, { bad: true });
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------- boot

function start(user) {
  S.user = user;
  S.logRequest = 0;
  renderFieldChoices();
  load();
}

function stop() {
  loads++;
  S.user = null;
  S.requests = [];
  S.downloads = [];
  S.notes.clear();
}

$('#req-form').addEventListener('submit', submit);
$('#od-refresh').addEventListener('click', load);
$('#od-state').addEventListener('change', () => { S.state = $('#od-state').value; load(); });
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); load(); }
});
window.addEventListener('langchange', () => { if (S.user) { renderFieldChoices(); render(); } });

window.hotlineOpenData = Object.freeze({
  state: () => ({
    state: S.state, logRequest: S.logRequest, download: S.download ? { ...S.download } : null,
    requests: S.requests.map((r) => ({ ...r })), downloads: S.downloads.map((d) => ({ ...d })),
  }),
});

gate({ roles: ['analyst', 'supervisor', 'admin'], title: 'od.name', forbidden: 'od.forbidden', onStart: start, onStop: stop });
