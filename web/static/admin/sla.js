// The admin pages' deadlines section. The form edits a draft of GET
// /api/v1/sla and PUTs it whole: each clock is a number and a unit
// (minutes, hours, days; seconds offered only where a clock from the
// configuration needs them), the warning threshold a percentage, the
// calendar two lists of days with add (a day or a range "A 至 B") and
// remove. The API checks everything; its problems land next to the fields
// (ids sla-tiers.<urgency>.<clock>, sla-warn_at, sla-holidays, ...).

import { $, el, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { clearErrors, clearField } from '../assets/forms.js';

const CLOCKS = ['accept', 'contact', 'reply'];
const CLOCK_KEY = { accept: 'admin.clock_accept', contact: 'admin.clock_contact', reply: 'admin.clock_reply' };
const UNITS = [[86400, 'admin.unit_days'], [3600, 'admin.unit_hours'], [60, 'admin.unit_minutes'], [1, 'admin.unit_seconds']];
const MAX_RANGE_DAYS = 366;

// S is the section's state: the saved rules (GET's answer), the calendar
// lists being edited, and what slaSection was given.
const S = {
  sla: null,
  draft: { holidays: new Set(), workdays: new Set() },
  submit: null,
  urgencyName: (u) => u,
};

function fmtClock(sec) {
  if (sec % 86400 === 0) return t('admin.days', { n: sec / 86400 });
  if (sec % 3600 === 0) return t('admin.hours', { n: sec / 3600 });
  if (sec % 60 === 0) return t('admin.minutes', { n: sec / 60 });
  return t('admin.seconds', { n: sec });
}

/** clockUnit is the largest unit that divides sec (seconds only when nothing else does). */
const clockUnit = (sec) => UNITS.find(([u]) => sec % u === 0)?.[0] ?? 1;

const WEEKDAY = ['admin.wd0', 'admin.wd1', 'admin.wd2', 'admin.wd3', 'admin.wd4', 'admin.wd5', 'admin.wd6'];

async function loadSLA() {
  S.sla = await api.get('/api/v1/sla');
  resetSLA();
}

/** resetSLA makes the draft the saved rules again and renders the form. */
function resetSLA() {
  const s = S.sla;
  if (!s) return;
  S.draft = { holidays: new Set(s.holidays), workdays: new Set(s.workdays) };
  clearErrors('sla');
  renderSLA();
  for (const c of s.tiers) {
    for (const k of CLOCKS) {
      const id = `sla-tiers.${c.urgency}.${k}`;
      const u = clockUnit(c[k]);
      document.getElementById(id).value = String(c[k] / u);
      const sel = document.getElementById(`${id}-unit`);
      sel.querySelector('option[value="1"]').hidden = u !== 1;
      sel.value = String(u);
    }
  }
  for (const k of CLOCKS) document.getElementById(`sla-working_days.${k}`).checked = s.working_days[k];
  $('#sla-warn_at').value = String(Math.round(s.warn_at * 100));
  $('#sla-holidays').value = '';
  $('#sla-workdays').value = '';
  markSLADirty(false);
}

/** renderSLA draws the tier inputs (kept when they exist), the calendar lists and the history. */
function renderSLA() {
  const s = S.sla;
  if (!s) return;
  const tbody = $('#sla-tiers');
  if (tbody.children.length !== s.tiers.length || [...tbody.children].some((r, i) => r.dataset.urgency !== s.tiers[i].urgency)) {
    tbody.replaceChildren(...s.tiers.map(tierRow));
  } else {
    for (const r of tbody.children) relabelTierRow(r);
  }
  renderDays('holidays');
  renderDays('workdays');
  $('#sla-updated').textContent = s.updated
    ? t('admin.sla_updated', { who: s.updated_by_name || s.updated_by, at: fmtDateTime(s.updated) })
    : t('admin.sla_from_config');
  const hist = s.history ?? [];
  $('#sla-history-empty').hidden = hist.length > 0;
  $('#sla-history').replaceChildren(...hist.map((h) => el('li', {},
    el('div', { class: 'muted small-text' }, `${fmtDateTime(h.at)} · ${h.by_name || h.by}`),
    el('ul', { class: 'sla-changes' }, ...h.changes.map((c) => el('li', { title: c }, changeText(c)))))));
}

function tierRow(c) {
  const cells = CLOCKS.map((k) => {
    const id = `sla-tiers.${c.urgency}.${k}`;
    const num = el('input', { id, type: 'number', min: '1', step: '1', inputmode: 'numeric', class: 'clock-num' });
    const unit = el('select', { id: `${id}-unit`, class: 'clock-unit' },
      ...UNITS.map(([u, key]) => el('option', { value: String(u), dataset: { i18n: key } }, t(key))));
    return el('td', { class: 'field' }, el('span', { class: 'unit-input' }, num, unit), el('div', { id: `${id}-error`, class: 'field-error', hidden: true }));
  });
  const row = el('tr', { dataset: { urgency: c.urgency } }, el('th', { scope: 'row' }, S.urgencyName(c.urgency)), ...cells);
  relabelTierRow(row);
  return row;
}

/** relabelTierRow names each input for screen readers: tier and clock. */
function relabelTierRow(row) {
  const u = row.dataset.urgency;
  row.querySelector('th').textContent = S.urgencyName(u);
  for (const k of CLOCKS) {
    const label = `${S.urgencyName(u)} · ${t(CLOCK_KEY[k])}`;
    row.querySelector(`[id="sla-tiers.${u}.${k}"]`).setAttribute('aria-label', label);
    const sel = row.querySelector(`[id="sla-tiers.${u}.${k}-unit"]`); // the row may not be in the page yet
    sel.setAttribute('aria-label', `${label} · ${t('admin.time_unit')}`);
    for (const o of sel.options) o.textContent = t(o.dataset.i18n);
  }
}

function renderDays(list) {
  const days = [...S.draft[list]].sort();
  $(`#sla-${list}-list`).replaceChildren(...dayRanges(days).map((r) => rangeItem(r, list)));
  if (!days.length) $(`#sla-${list}-list`).replaceChildren(el('li', { class: 'muted' }, t('admin.no_days')));
}

/** slaBody is the draft as PUT /api/v1/sla takes it; bad numbers go as they are for the API to name. */
function slaBody() {
  const tiers = S.sla.tiers.map((c) => {
    const out = { urgency: c.urgency };
    for (const k of CLOCKS) {
      const id = `sla-tiers.${c.urgency}.${k}`;
      const n = Number(document.getElementById(id).value.trim() || 'NaN');
      const u = Number(document.getElementById(`${id}-unit`).value);
      out[k] = Number.isFinite(n) ? Math.round(n * u) : 0;
    }
    return out;
  });
  const warn = Number($('#sla-warn_at').value.trim() || 'NaN');
  const working = Object.fromEntries(CLOCKS.map((k) => [k, document.getElementById(`sla-working_days.${k}`).checked]));
  return {
    tiers, working_days: working, warn_at: Number.isFinite(warn) ? warn / 100 : 0,
    holidays: [...S.draft.holidays].sort(), workdays: [...S.draft.workdays].sort(),
  };
}

async function saveSLA(ev) {
  ev.preventDefault();
  // Enter in a day field with a day typed adds the day; it does not save.
  const day = document.activeElement;
  if ((day?.id === 'sla-holidays' || day?.id === 'sla-workdays') && day.value.trim()) {
    addDays(day.id.slice(4));
    return;
  }
  await S.submit('sla', $('#sla-form'), async () => {
    try {
      S.sla = await api.request('PUT', '/api/v1/sla', { body: slaBody() });
    } catch (e) {
      throw localProblems(e);
    }
    resetSLA();
    toast(t('admin.sla_saved'));
  });
}

// The API's problems with the deadline rules, in the page's language.
const SLA_PROBLEMS = [
  [/^must be positive$/, () => t('admin.msg_positive')],
  [/^at most 365 days$/, () => t('admin.msg_max_clock')],
  [/^must be a whole number of seconds$/, () => t('admin.msg_whole_seconds')],
  [/^must not be shorter than the (\w+) clock \((\w+)\)$/, (m) => t('admin.msg_clock_order', { clock: t(CLOCK_KEY[m[1]] ?? m[1]), d: fmtShort(m[2]) })],
  [/^must lie strictly between 0 and 1$/, () => t('admin.msg_warn_range')],
  [/^"(.*)" is not a day \(YYYY-MM-DD\)$/, (m) => t('admin.msg_bad_day', { d: m[1] })],
  [/^(\S+) is also a holiday; a day is one or the other$/, (m) => t('admin.msg_day_both', { d: m[1] })],
  [/^(\S+) is a \w+; list only weekend days that are worked$/, (m) => t('admin.msg_not_weekend', { d: m[1], w: weekday(m[1]) })],
  [/^(\S+): only years (\d+) to (\d+)$/, (m) => t('admin.msg_day_years', { d: m[1], a: m[2], b: m[3] })],
  [/^at most (\d+) days$/, (m) => t('admin.msg_max_days', { n: m[1] })],
];

/** localProblems rewrites an ApiError's field problems about the rules into the page's language. */
function localProblems(e) {
  if (!(e instanceof api.ApiError) || !e.fields) return e;
  for (const [f, p] of Object.entries(e.fields)) {
    for (const [re, fn] of SLA_PROBLEMS) {
      const m = re.exec(p);
      if (m) { e.fields[f] = fn(m); break; }
    }
  }
  return e;
}

/** fmtShort reads the API's "7d", "24h", "15m", "90s" as words. */
function fmtShort(d) {
  const m = /^(\d+)([dhms])$/.exec(d);
  return m ? fmtClock(Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2]]) : d;
}

/** changeText reads one audit line ("tiers.ordinary.reply: 7d → 3d", "holidays: +2026-10-01") in the page's language. */
function changeText(c) {
  const yes = (b) => t(b === 'true' ? 'admin.yes' : 'admin.no');
  let m = /^tiers\.(\w+)\.(\w+): (\S+) → (\S+)$/.exec(c);
  if (m) return t('admin.change', { what: `${S.urgencyName(m[1])} · ${t(CLOCK_KEY[m[2]] ?? m[2])}`, a: fmtShort(m[3]), b: fmtShort(m[4]) });
  m = /^working_days\.(\w+): (true|false) → (true|false)$/.exec(c);
  if (m) return t('admin.change', { what: `${t('admin.working')} · ${t(CLOCK_KEY[m[1]] ?? m[1])}`, a: yes(m[2]), b: yes(m[3]) });
  m = /^warn_at: ([\d.]+) → ([\d.]+)$/.exec(c);
  if (m) return t('admin.change', { what: t('admin.warn_at'), a: `${Math.round(m[1] * 100)}%`, b: `${Math.round(m[2] * 100)}%` });
  m = /^(holidays|workdays): ([+-])(\S+)$/.exec(c);
  if (m) return `${t(m[1] === 'holidays' ? 'admin.holidays' : 'admin.workdays')} ${m[2] === '+' ? t('admin.added') : t('admin.removed')} ${m[3]}`;
  return c;
}

const DAY_MS = 86400000;
const dayMS = (d) => Date.parse(`${d}T00:00:00Z`); // a calendar date, weekday in UTC
const weekday = (d) => t(WEEKDAY[new Date(dayMS(d)).getUTCDay()]);
const isDay = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(dayMS(d)) && new Date(dayMS(d)).toISOString().startsWith(d);

/**
 * parseDays reads "2026-10-01" or a range "2026-10-01 至 2026-10-07" (also
 * "to", "~", "–") into the days it covers; a message key when it cannot.
 */
function parseDays(text) {
  const parts = text.trim().split(/\s*(?:至|到|~|～|–|—|\bto\b|\s)\s*/).filter(Boolean);
  if (parts.length < 1 || parts.length > 2 || !parts.every(isDay)) return { problem: 'admin.msg_days_format' };
  const [a, b = parts[0]] = parts;
  const n = (dayMS(b) - dayMS(a)) / DAY_MS + 1;
  if (n < 1) return { problem: 'admin.msg_range_order' };
  if (n > MAX_RANGE_DAYS) return { problem: 'admin.msg_range_long' };
  return { days: Array.from({ length: n }, (_, i) => new Date(dayMS(a) + i * DAY_MS).toISOString().slice(0, 10)) };
}

function addDays(list) {
  const input = $(`#sla-${list}`);
  clearField(input.id);
  const { days, problem } = parseDays(input.value);
  if (problem) {
    const msg = $(`#sla-${list}-error`);
    msg.textContent = t(problem);
    msg.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  for (const d of days) S.draft[list].add(d);
  input.value = '';
  renderDays(list);
  markSLADirty(true);
  input.focus();
}

function removeDays(list, [a, b]) {
  for (const d of [...S.draft[list]]) if (d >= a && d <= b) S.draft[list].delete(d);
  clearField(`sla-${list}`);
  renderDays(list);
  markSLADirty(true);
  $(`#sla-${list}`).focus();
}

function markSLADirty(on) { $('#sla-dirty').hidden = !on; }

/** dayRanges folds consecutive dates (YYYY-MM-DD, sorted) into [first, last] runs. */
function dayRanges(days) {
  const out = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && dayMS(d) - dayMS(last[1]) === DAY_MS) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

function rangeItem([a, b], list) {
  const text = a === b ? [a, ' ', el('span', { class: 'muted' }, weekday(a))]
    : [`${a} – ${b.slice(5)}`, ' ', el('span', { class: 'muted' }, t('admin.days', { n: (dayMS(b) - dayMS(a)) / DAY_MS + 1 }))];
  const rm = el('button', { class: 'btn link remove', type: 'button', 'aria-label': t('admin.remove_days', { d: a === b ? a : `${a} – ${b}` }) }, '×');
  rm.addEventListener('click', () => removeDays(list, [a, b]));
  return el('li', { dataset: { day: a, last: b } }, el('span', {}, ...text), rm);
}

/**
 * slaSection wires the section's form. submit is the admin pages' form
 * runner (busy, field errors); urgencyName names a tier in the page's
 * language. Returns load (fetch and show) and render (after a language switch).
 */
export function slaSection({ submit, urgencyName }) {
  S.submit = submit;
  S.urgencyName = urgencyName;
  $('#sla-form').addEventListener('submit', saveSLA);
  $('#sla-cancel').addEventListener('click', resetSLA);
  $('#sla-form').addEventListener('change', (ev) => { if (ev.target.closest('#sla-tiers, .sla-working, .sla-warn')) markSLADirty(true); });
  $('#sla-form').addEventListener('input', (ev) => clearField(ev.target.id));
  for (const list of ['holidays', 'workdays']) $(`#sla-${list}-add`).addEventListener('click', () => addDays(list));
  return { load: loadSLA, render: renderSLA };
}
