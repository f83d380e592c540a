// The ranking page (考评排名): a month's three-rate assessment per tier from
// GET /api/v1/assessment (rank, valid callbacks, 响应率, 解决率, 满意率, the
// score, the movement against last month and the class, in words as well as
// colours), the 治理类 list, CSV and XLSX downloads of the month, and the
// claims panel: supervisors (and the admin) approve or reject units'
// unreasonable-request claims and assessment appeals (GET /api/v1/claims,
// POST /api/v1/claims/{id}/approve|reject); unit staff see their own claims
// and their own rows only, as the API gives them.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #rank-updated, #rank-refresh, #banner; #rank-month #rank-prev
// #rank-next; #rank-tiers > [role=tab][data-tier][aria-selected] (#tab-TIER)
// with .tab-count; #rank-csv #rank-xlsx; #rank-h #rank-summary;
// #rank-body > tr[data-unit][data-rank][data-class] with td.rank td.unit
// td.valid td.response td.resolution td.satisfaction td.score td.move
// (span[data-move=up|down|same|new]) td.class (span.class-badge[data-class]);
// #rank-empty; #gov-list > li[data-unit]; #claims (hidden for analysts),
// #claims-state, #claims-list > li[data-claim][data-state] with
// #claim-ID-note #claim-ID-note-error #claim-ID-error button.approve
// button.reject; #claims-empty.
//
// Read-only debug hook: window.hotlineRanking = {state()}.

import { $, $$, el, clock, fmtDateTime, fmtTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';
import { showErrors, clearErrors } from '../assets/forms.js';

const TIERS = ['street', 'district', 'district_dept', 'city_dept', 'enterprise'];
const TIER_KEY = {
  street: 'rank.tier_street', district: 'rank.tier_district', district_dept: 'rank.tier_district_dept',
  city_dept: 'rank.tier_city_dept', enterprise: 'rank.tier_enterprise',
};
const CLASS_KEY = {
  advanced: 'rank.class_advanced', improved: 'rank.class_improved',
  rectify: 'rank.class_rectify', governance: 'rank.class_governance',
};
const CLASS_TITLE = {
  advanced: 'rank.class_advanced_hint', improved: 'rank.class_improved_hint',
  rectify: 'rank.class_rectify_hint', governance: 'rank.class_governance_hint',
};
const KIND_KEY = { unreasonable: 'rank.kind_unreasonable', appeal: 'rank.kind_appeal' };
const CSTATE_KEY = { pending: 'rank.state_pending', approved: 'rank.state_approved', rejected: 'rank.state_rejected' };
const RULERS = ['supervisor', 'admin'];
const CLAIM_READERS = ['supervisor', 'admin', 'unit'];

const S = {
  user: null,
  month: '',          // YYYY-MM shown
  tier: 'street',
  data: null,         // the month's assessment
  claims: [],
  claimState: 'pending',
  notes: new Map(),   // claim id → the note being typed (kept across reloads)
  download: null,     // the last download: {name, type, size}
  at: 0,
};
let loads = 0; // a newer load makes an older one's answer stale

// ---------------------------------------------------------------- months

const monthFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' });

/** thisMonth is the server clock's month in Beijing, YYYY-MM. */
const thisMonth = () => monthFmt.format(clock.now()).slice(0, 7);

function shiftMonth(m, d) {
  let [y, mo] = m.split('-').map(Number);
  mo += d;
  while (mo < 1) { mo += 12; y--; }
  while (mo > 12) { mo -= 12; y++; }
  return `${y}-${String(mo).padStart(2, '0')}`;
}

function setMonth(m) {
  const max = thisMonth();
  if (!/^\d{4}-\d\d$/.test(m)) m = max;
  if (m > max) m = max;
  S.month = m;
  $('#rank-month').value = m;
  $('#rank-month').max = max;
  $('#rank-next').disabled = m >= max;
  S.notes.clear();
  load();
}

// ---------------------------------------------------------------- formats

const pct = (f) => `${(f * 100).toFixed(2)}%`;
const score = (x) => x.toFixed(2);
const rows = () => (S.data?.assessment ?? []).filter((r) => r.tier === S.tier);
const canRule = () => RULERS.includes(S.user?.role);
const canReadClaims = () => CLAIM_READERS.includes(S.user?.role);

function moveCell(r) {
  if (!r.rank) return el('span', { class: 'muted' }, '–');
  if (!r.previous_rank) return el('span', { class: 'move new', dataset: { move: 'new' }, title: t('rank.new_label') }, t('rank.new'));
  if (r.movement > 0) {
    return el('span', { class: 'move up', dataset: { move: 'up' }, title: t('rank.up_label', { n: r.movement, prev: r.previous_rank }) },
      t('rank.up', { n: r.movement }));
  }
  if (r.movement < 0) {
    return el('span', { class: 'move down', dataset: { move: 'down' }, title: t('rank.down_label', { n: -r.movement, prev: r.previous_rank }) },
      t('rank.down', { n: -r.movement }));
  }
  return el('span', { class: 'move same', dataset: { move: 'same' }, title: t('rank.same_label', { prev: r.previous_rank }) }, t('rank.same'));
}

function classBadge(c) {
  if (!c) return el('span', { class: 'muted' }, '–');
  return el('span', { class: 'class-badge', dataset: { class: c }, title: t(CLASS_TITLE[c]) }, t(CLASS_KEY[c]));
}

// ---------------------------------------------------------------- render

function renderTabs() {
  for (const b of $$('#rank-tiers [role="tab"]')) {
    const on = b.dataset.tier === S.tier;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    const n = (S.data?.assessment ?? []).filter((r) => r.tier === b.dataset.tier).length;
    $('.tab-count', b).textContent = S.data ? `(${n})` : '';
  }
}

function renderTable() {
  const list = rows();
  const ranked = list.filter((r) => r.rank > 0).length;
  $('#rank-h').textContent = t('rank.heading', { tier: t(TIER_KEY[S.tier]), month: S.month });
  $('#rank-summary').textContent = S.data ? t('rank.summary', { ranked, units: list.length }) : '';
  $('#rank-empty').hidden = !S.data || list.length > 0;
  $('#rank-body').replaceChildren(...list.map((r) => {
    const on = r.rank > 0;
    const num = (cls, text) => el('td', { class: `num ${cls}` }, on ? text : '–');
    return el('tr', { dataset: { unit: r.unit, rank: String(r.rank), class: r.class || 'none' }, class: on ? '' : 'muted-row' },
      el('td', { class: 'num rank', title: on ? '' : t('rank.unranked') }, on ? String(r.rank) : '–'),
      el('th', { scope: 'row', class: 'unit', title: r.unit }, r.unit_name || r.unit),
      el('td', { class: 'num valid' }, String(r.valid_callbacks)),
      num('response', pct(r.response_rate)),
      num('resolution', pct(r.resolution_rate)),
      num('satisfaction', pct(r.satisfaction_rate)),
      num('score', score(r.score)),
      el('td', { class: 'num move' }, moveCell(r)),
      el('td', { class: 'class' }, classBadge(r.class)));
  }));
}

function renderGovernance() {
  const gov = S.data?.governance ?? [];
  $('#gov-empty').hidden = !S.data || gov.length > 0;
  $('#gov-list').replaceChildren(...gov.map((g) => el('li', { dataset: { unit: g.unit } },
    el('span', { class: 'gov-rank' }, String(g.rank)),
    el('span', { class: 'gov-name', title: g.unit }, g.unit_name || g.unit),
    el('span', { class: 'gov-count' }, t('rank.complaints', { n: g.complaints })))));
}

function claimHead(c) {
  return el('div', { class: 'claim-head' },
    el('span', { class: `tag kind-tag ${c.kind}` }, t(KIND_KEY[c.kind] ?? c.kind)),
    el('span', { class: 'mono claim-ticket' }, c.ticket),
    el('span', { class: 'claim-unit', title: c.unit }, c.unit_name || c.unit),
    el('span', { class: 'claim-state', dataset: { state: c.state } }, t(CSTATE_KEY[c.state] ?? c.state)));
}

function claimForm(c) {
  const p = `claim-${c.id}`;
  const note = el('textarea', { id: `${p}-note`, rows: '2', placeholder: t('rank.note_hint') });
  note.value = S.notes.get(c.id) ?? '';
  note.addEventListener('input', () => {
    S.notes.set(c.id, note.value);
    if (!$(`#${p}-note-error`).hidden) clearErrors(p);
  });
  const approve = el('button', { class: 'btn ok small approve', type: 'button' }, t('rank.approve'));
  const reject = el('button', { class: 'btn danger small reject', type: 'button' }, t('rank.reject'));
  approve.addEventListener('click', () => rule(c, true));
  reject.addEventListener('click', () => rule(c, false));
  const form = el('form', { class: 'claim-form', id: `${p}-form`, action: '#', novalidate: true },
    el('label', { for: `${p}-note` }, t('rank.note')),
    note,
    el('div', { id: `${p}-note-error`, class: 'field-error', hidden: true }),
    el('div', { id: `${p}-error`, class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    el('div', { class: 'btn-row' }, approve, reject));
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

function renderClaims() {
  $('#claims').hidden = !canReadClaims();
  if (!canReadClaims()) return;
  $('#claims-state').value = S.claimState;
  $('#claims-empty').hidden = S.claims.length > 0;
  $('#claims-list').replaceChildren(...S.claims.map((c) => el('li', { class: 'claim', dataset: { claim: String(c.id), state: c.state, ticket: c.ticket } },
    claimHead(c),
    el('div', { class: 'claim-reason' }, el('span', { class: 'muted' }, t('rank.claim_reason')), ' ', c.reason),
    c.evidence ? el('div', { class: 'claim-evidence' }, el('span', { class: 'muted' }, t('rank.claim_evidence')), ' ', c.evidence) : null,
    el('div', { class: 'muted small-text' }, t('rank.claim_filed', { who: c.filed_by_name || c.filed_by, time: fmtDateTime(c.filed) }),
      c.callback ? ` · ${t('rank.claim_callback', { id: c.callback })}` : ''),
    c.state === 'pending'
      ? (canRule() ? claimForm(c) : null)
      : el('div', { class: 'claim-ruling small-text' },
        t('rank.claim_ruled', { who: c.ruled_by_name || c.ruled_by || '', time: fmtDateTime(c.ruled) }),
        c.note ? ` · ${c.note}` : ''))));
}

function render() {
  renderTabs();
  renderTable();
  renderGovernance();
  renderClaims();
}

// ---------------------------------------------------------------- load

async function load() {
  const n = ++loads;
  render();
  try {
    const [data, claims] = await Promise.all([
      api.get('/api/v1/assessment', { month: S.month }),
      canReadClaims() ? api.get('/api/v1/claims', { month: S.month, state: S.claimState, limit: 200 }) : null,
    ]);
    if (n !== loads) return;
    S.data = data;
    S.claims = claims?.claims ?? [];
    // Unit staff see their own rows: start on the tab that has them.
    if (!rows().length && S.user?.role === 'unit') S.tier = TIERS.find((x) => data.assessment.some((r) => r.tier === x)) ?? S.tier;
    S.at = clock.now();
    $('#rank-updated').textContent = fmtTime(S.at);
    $('#banner').hidden = true;
    render();
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('rank.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

async function rule(c, approve) {
  const p = `claim-${c.id}`;
  const note = $(`#${p}-note`).value.trim();
  const buttons = $$(`#${p}-form button`);
  for (const b of buttons) b.disabled = true;
  clearErrors(p);
  try {
    await api.post(`/api/v1/claims/${c.id}/${approve ? 'approve' : 'reject'}`, { note, version: c.version });
    S.notes.delete(c.id);
    toast(t(approve ? 'rank.done_approve' : 'rank.done_reject', { ticket: c.ticket }));
    await load();
  } catch (e) {
    for (const b of buttons) b.disabled = false;
    showErrors(p, e);
  }
}

/** download fetches the month's assessment as format (csv or xlsx) with the session's token and saves it. */
async function download(format, button) {
  button.disabled = true;
  try {
    S.download = await api.download('/api/v1/assessment', { month: S.month, format }, `assessment-${S.month}.${format}`);
    const { name } = S.download;
    toast(t('rank.downloaded', { name }));
  } catch (e) {
    toast(`${t('rank.download_failed')}: ${api.errorText(e, t)}`, { bad: true });
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- boot

function selectTier(tier, focus = false) {
  S.tier = tier;
  render();
  if (focus) $(`#tab-${tier}`).focus();
}

function start(user) {
  S.user = user;
  S.tier = 'street';
  setMonth(thisMonth());
}

function stop() {
  loads++;
  S.user = null;
  S.data = null;
  S.claims = [];
  S.notes.clear();
}

for (const b of $$('#rank-tiers [role="tab"]')) b.addEventListener('click', () => selectTier(b.dataset.tier));
$('#rank-tiers').addEventListener('keydown', (ev) => {
  const i = TIERS.indexOf(S.tier);
  const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TIERS.length - 1 }[ev.key];
  if (to === undefined) return;
  ev.preventDefault();
  selectTier(TIERS[(to + TIERS.length) % TIERS.length], true);
});
$('#rank-month').addEventListener('change', () => { if ($('#rank-month').value) setMonth($('#rank-month').value); });
$('#rank-prev').addEventListener('click', () => setMonth(shiftMonth(S.month, -1)));
$('#rank-next').addEventListener('click', () => setMonth(shiftMonth(S.month, 1)));
$('#rank-csv').addEventListener('click', () => download('csv', $('#rank-csv')));
$('#rank-xlsx').addEventListener('click', () => download('xlsx', $('#rank-xlsx')));
$('#rank-refresh').addEventListener('click', load);
$('#claims-state').addEventListener('change', () => { S.claimState = $('#claims-state').value; load(); });
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); load(); }
});
window.addEventListener('langchange', () => { if (S.user) render(); });

window.hotlineRanking = Object.freeze({
  state: () => ({
    month: S.month, tier: S.tier, at: S.at, download: S.download ? { ...S.download } : null,
    rows: rows().map((r) => ({ ...r })), claims: S.claims.map((c) => ({ ...c })),
    governance: (S.data?.governance ?? []).map((g) => ({ ...g })),
  }),
});

gate({ roles: ['supervisor', 'admin', 'analyst', 'unit'], title: 'rank.name', forbidden: 'rank.forbidden', onStart: start, onStop: stop });
