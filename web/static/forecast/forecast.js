// The forecast page (话务预测与排班): GET /api/v1/forecast draws the next 14
// days of inbound calls per half hour after last week's actuals (an inline
// SVG line chart, holidays shaded), the days with their calls, peak
// scheduled agents and agent-hours, the Erlang C staffing per half hour of
// a chosen day, the backtest (model vs seasonal-naive MAPE per week) and
// the model's figures; GET /api/v1/forecast/preplans lists the seasonal
// pre-plans (未诉先办). The bar above sets AHT, the service-level target,
// its threshold and shrinkage, and recomputes.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #fc-updated, #fc-refresh, #banner; #fc-form with #fc-aht #fc-target
// #fc-within #fc-shrinkage #fc-apply #fc-form-error; #fc-svg (the chart) with
// path.actual path.forecast; #fc-days-body > tr[data-date][data-type];
// #fc-day (select); #fc-staff-body > tr[data-start]; #fc-bt-body >
// tr[data-week]; #fc-bt-empty; #fc-model; #fc-pp-list >
// li.fc-pp[data-category][data-season]; #fc-pp-empty.
//
// Read-only debug hook: window.hotlineForecast = {state()}.

import { $, el, clock, fmtTime } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';

const TYPE_KEY = {
  mon: 'fc.type_mon', tue: 'fc.type_tue', wed: 'fc.type_wed', thu: 'fc.type_thu', fri: 'fc.type_fri',
  sat: 'fc.type_sat', sun: 'fc.type_sun', holiday: 'fc.type_holiday', adjusted_workday: 'fc.type_adjusted_workday',
};
const SEASON_KEY = { winter: 'fc.season_winter', summer: 'fc.season_summer' };

const S = {
  user: null,
  data: null,      // the forecast report
  preplans: null,  // the pre-plan report
  categories: new Map(),
  day: '',         // YYYY-MM-DD whose staffing is shown
  at: 0,
};
let loads = 0; // a newer load makes an older one's answer stale

// ---------------------------------------------------------------- formats

const pct = (f) => `${(f * 100).toFixed(1)}%`;
const num = (x, d = 0) => Number(x).toLocaleString(undefined, { minimumFractionDigits: d, maximumFractionDigits: d });
const hhmm = (iso) => iso.slice(11, 16);
const typeName = (ty) => t(TYPE_KEY[ty] ?? ty);

// ---------------------------------------------------------------- chart

// The chart's <svg> is in the page, so its namespace comes from there.
function svg(tag, attrs = {}) {
  const node = document.createElementNS($('#fc-svg').namespaceURI, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** chart draws last week's actuals then the forecast, one point per half hour. */
function renderChart() {
  const root = $('#fc-svg');
  if (!S.data) { root.replaceChildren(); return; }
  const actual = S.data.last_week;
  const fc = S.data.slots.map((s) => s.calls);
  const n = actual.length + fc.length;
  const W = 1000, H = 240, L = 44, R = 8, T = 8, B = 22;
  const top = Math.max(1, ...actual, ...fc) * 1.08;
  const x = (i) => L + (i / Math.max(1, n - 1)) * (W - L - R);
  const y = (v) => T + (1 - v / top) * (H - T - B);
  root.replaceChildren();
  root.setAttribute('aria-label', t('fc.chart'));
  // Holidays shaded, a line and a date per day.
  const days = n / 48;
  for (let d = 0; d < days; d++) {
    const info = d >= 7 ? S.data.daily[d - 7] : null;
    if (info && (info.day_type === 'holiday')) {
      root.append(svg('rect', { class: 'holiday', x: x(d * 48), y: T, width: x(48) - x(0), height: H - T - B }));
    }
    root.append(svg('line', { class: 'grid', x1: x(d * 48), x2: x(d * 48), y1: T, y2: H - B }));
    if (d % 2 === 0) {
      const when = new Date(Date.parse(S.data.from) + (d - 7) * 86400000);
      const label = svg('text', { class: 'label', x: x(d * 48) + 2, y: H - 6 });
      label.textContent = when.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(5);
      root.append(label);
    }
  }
  for (const f of [0, 0.5, 1]) {
    root.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(top * f), y2: y(top * f) }));
    const label = svg('text', { class: 'label', x: 2, y: y(top * f) + 4 });
    label.textContent = num(top * f);
    root.append(label);
  }
  const path = (vals, off, cls) => svg('path', {
    class: cls, d: vals.map((v, i) => `${i ? 'L' : 'M'}${x(i + off).toFixed(1)},${y(v).toFixed(1)}`).join(''),
  });
  root.append(path(actual, 0, 'actual'), path(fc, actual.length, 'forecast'));
  root.append(svg('line', { class: 'today', x1: x(actual.length), x2: x(actual.length), y1: T, y2: H - B }));
  root.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
}

// ---------------------------------------------------------------- tables

function renderDays() {
  const daily = S.data?.daily ?? [];
  $('#fc-days-body').replaceChildren(...daily.map((d) => {
    const row = el('tr', { dataset: { date: d.date, type: d.day_type }, class: d.date === S.day ? 'selected' : '' },
      el('th', { scope: 'row' }, d.date),
      el('td', {}, typeName(d.day_type)),
      el('td', { class: 'num' }, num(d.calls)),
      el('td', { class: 'num' }, String(d.peak_agents)),
      el('td', { class: 'num' }, num(d.agent_hours, 1)));
    row.addEventListener('click', () => selectDay(d.date));
    return row;
  }));
  $('#fc-day').replaceChildren(...daily.map((d) => el('option', { value: d.date }, `${d.date} ${typeName(d.day_type)}`)));
  $('#fc-day').value = S.day;
}

function renderStaffing() {
  const slots = (S.data?.slots ?? []).filter((s) => s.start.slice(0, 10) === S.day);
  $('#fc-staff-body').replaceChildren(...slots.map((s) => el('tr', { dataset: { start: s.start } },
    el('th', { scope: 'row' }, hhmm(s.start)),
    el('td', { class: 'num' }, num(s.calls, 1)),
    el('td', { class: 'num' }, num(s.erlangs, 2)),
    el('td', { class: 'num' }, String(s.agents)),
    el('td', { class: 'num' }, String(s.scheduled)),
    el('td', { class: 'num' }, s.calls > 0 ? pct(s.service_level) : '–'),
    el('td', { class: 'num' }, s.calls > 0 ? num(s.asa_seconds, 1) : '–'),
    el('td', { class: 'num' }, s.calls > 0 ? pct(s.occupancy) : '–'))));
}

function renderBacktest() {
  const bt = S.data?.backtest;
  $('#fc-bt-empty').hidden = !S.data || !!bt;
  if (!bt) { $('#fc-bt-body').replaceChildren(); return; }
  const row = (label, key, m, nv) => el('tr', { dataset: { week: key } },
    el('th', { scope: 'row' }, label),
    el('td', { class: `num ${m.mape <= nv.mape ? 'better' : ''}`, title: `WAPE ${pct(m.wape)}` }, pct(m.mape)),
    el('td', { class: `num ${nv.mape < m.mape ? 'better' : ''}`, title: `WAPE ${pct(nv.wape)}` }, pct(nv.mape)));
  $('#fc-bt-body').replaceChildren(
    ...bt.weeks.map((w) => row(w.from.slice(0, 10), w.from.slice(0, 10), w.model, w.seasonal_naive)),
    row(t('fc.all_weeks'), 'all', bt.model, bt.seasonal_naive));
  $('#fc-bt-body').lastChild.classList.add('total');
}

function renderModel() {
  const m = S.data?.model;
  if (!m) { $('#fc-model').replaceChildren(); return; }
  const pair = (k, v) => [el('dt', {}, k), el('dd', {}, v)];
  const factors = Object.keys(TYPE_KEY).map((k) => `${typeName(k)} ${m.day_factors[k].toFixed(2)}`).join(' · ');
  $('#fc-model').replaceChildren(
    ...pair(t('fc.level'), `${num(m.level)} (${m.trend_per_day >= 0 ? '+' : ''}${num(m.trend_per_day, 1)}/d)`),
    ...pair(t('fc.heating'), m.heating_boundaries ? `×${m.heating_factor.toFixed(3)} (${m.heating_boundaries})` : t('fc.heating_none')),
    ...pair(t('fc.factors'), factors),
    ...pair(t('fc.standard'), t('fc.standard_text', {
      target: Math.round(S.data.standard.target * 100), within: S.data.standard.within_seconds,
      aht: S.data.standard.aht_seconds, shrinkage: Math.round(S.data.standard.shrinkage * 100),
    })));
}

function renderPrePlans() {
  const plans = S.preplans?.plans ?? [];
  $('#fc-pp-empty').hidden = !S.preplans || plans.length > 0;
  $('#fc-pp-list').replaceChildren(...plans.map((p) => el('li', { class: 'fc-pp', dataset: { category: p.category, season: p.season } },
    el('div', { class: 'fc-pp-head' },
      el('span', { class: 'fc-pp-cat', title: p.category }, S.categories.get(p.category)?.name || p.category),
      el('span', { class: 'tag' }, t(SEASON_KEY[p.season] ?? p.season)),
      el('span', { class: 'fc-pp-factor', title: t('fc.factor') }, `×${p.factor.toFixed(2)}`)),
    el('div', {}, t('fc.act_in', { months: p.act_months.join(', ') })),
    el('div', { class: 'muted small-text' }, t('fc.evidence'), ' ',
      p.years.map((y) => t('fc.evidence_year', { year: y.year, season: y.season, rest: y.rest, factor: y.factor.toFixed(2) })).join(' · ')))));
}

function render() {
  renderChart();
  renderDays();
  renderStaffing();
  renderBacktest();
  renderModel();
  renderPrePlans();
}

function selectDay(day) {
  S.day = day;
  renderDays();
  renderStaffing();
}

// ---------------------------------------------------------------- load

/** query reads the bar; it answers null (and shows why) when a value is out of range. */
function query() {
  const read = (id) => Number($(id).value);
  const q = { aht: read('#fc-aht'), target: read('#fc-target') / 100, within: read('#fc-within'), shrinkage: read('#fc-shrinkage') / 100 };
  const ok = q.aht >= 1 && q.aht <= 7200 && q.target > 0 && q.target < 1 && q.within > 0 && q.within <= 3600 && q.shrinkage >= 0 && q.shrinkage < 1;
  $('#fc-form-error').textContent = ok ? '' : t('fc.bad_standard');
  $('#fc-form-error').hidden = ok;
  return ok ? q : null;
}

async function load() {
  const q = query();
  if (!q) return;
  const n = ++loads;
  try {
    const [data, preplans, cats] = await Promise.all([
      api.get('/api/v1/forecast', q),
      api.get('/api/v1/forecast/preplans'),
      S.categories.size ? null : api.get('/api/v1/categories').catch(() => null),
    ]);
    if (n !== loads) return;
    S.data = data;
    S.preplans = preplans;
    if (cats) S.categories = new Map(cats.categories.map((c) => [c.id, c]));
    if (!data.daily.some((d) => d.date === S.day)) S.day = data.daily[0]?.date ?? '';
    S.at = clock.now();
    $('#fc-updated').textContent = fmtTime(S.at);
    $('#banner').hidden = true;
    render();
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('fc.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

// ---------------------------------------------------------------- boot

function start(user) {
  S.user = user;
  load();
}

function stop() {
  loads++;
  S.user = null;
  S.data = null;
  S.preplans = null;
}

$('#fc-form').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
$('#fc-refresh').addEventListener('click', load);
$('#fc-day').addEventListener('change', () => selectDay($('#fc-day').value));
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); load(); }
});
window.addEventListener('langchange', () => { if (S.user) render(); });

window.hotlineForecast = Object.freeze({
  state: () => ({
    at: S.at, day: S.day, from: S.data?.from ?? '', days: S.data?.daily?.length ?? 0,
    backtest: S.data?.backtest ? { model: S.data.backtest.model.mape, naive: S.data.backtest.seasonal_naive.mape } : null,
    preplans: (S.preplans?.plans ?? []).map((p) => ({ category: p.category, season: p.season, factor: p.factor })),
  }),
});

gate({ roles: ['supervisor', 'admin', 'analyst'], title: 'fc.name', forbidden: 'fc.forbidden', onStart: start, onStop: stop });
