// The reports page (日报告 · 周分析 · 月通报): one report from
// GET /api/v1/reports/{kind}?date=… — the urgent-sensitive brief on top for
// a daily report, the summary tiles (volume against the previous period and
// last year, dispatch health, the three rates, the call centre's KPIs), the
// volume line and bar charts drawn as inline SVG, the movers table, and CSV
// and XLSX downloads.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #rep-kinds > [role=tab][data-kind][aria-selected]; #rep-date #rep-prev
// #rep-next #rep-period #rep-partial #rep-generated; #rep-csv #rep-xlsx;
// #urgent (hidden unless daily) #urgent-body > tr[data-id][data-theme];
// #tiles > .tile[data-tile] .tile-value; #chart-series svg polyline;
// #chart-category, #chart-district, #chart-channel, #chart-type,
// #chart-unit svg g.bar[data-key][data-count]; #mover-dims [data-dim];
// #movers-body > tr[data-key][data-base][data-dir].
//
// Read-only debug hook: window.hotlineReports = {state()}.

import { $, $$, el, clock, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';

const KINDS = ['daily', 'weekly', 'monthly'];
const THEME_KEY = { threat: 'rep.theme_threat', heating: 'rep.theme_heating', fire: 'rep.theme_fire', water: 'rep.theme_water' };
const S = { user: null, kind: 'daily', date: '', dim: 'category', rep: null, download: null };
let loads = 0;

// ---------------------------------------------------------------- dates

const dayFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const bjDay = (v) => dayFmt.format(new Date(v));
const stampFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
/** bjTime is MM-DD HH:mm in Beijing time. */
const bjTime = (v) => stampFmt.format(new Date(v)).slice(5);

/** shift moves a YYYY-MM-DD date by one period of the kind. */
function shift(date, kind, d) {
  const x = new Date(`${date}T00:00:00Z`);
  if (kind === 'daily') x.setUTCDate(x.getUTCDate() + d);
  else if (kind === 'weekly') x.setUTCDate(x.getUTCDate() + 7 * d);
  else { x.setUTCDate(1); x.setUTCMonth(x.getUTCMonth() + d); }
  return x.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- formats

const pct = (f) => `${(f * 100).toFixed(1)}%`;
const num = (n) => n.toLocaleString('en-US');
const nameOf = (k) => (k === '' ? t('rep.none') : (S.rep?.names?.[k] || k));
const CHANNEL_KEY = { phone: 'rep.ch_phone', web: 'rep.ch_web', app: 'rep.ch_app', open311: 'rep.ch_open311', sms: 'rep.ch_sms', email: 'rep.ch_email' };
const TYPE_KEY = {
  consult: 'rep.ty_consult', help: 'rep.ty_help', complaint: 'rep.ty_complaint',
  report: 'rep.ty_report', suggestion: 'rep.ty_suggestion', praise: 'rep.ty_praise',
};
const enumName = (table, k) => (table[k] ? t(table[k]) : (k || t('rep.none')));
const change = (cur, base) => (base ? `${cur >= base ? '+' : ''}${(((cur - base) / base) * 100).toFixed(1)}%` : '–');

// ---------------------------------------------------------------- SVG

// The SVG namespace, read from an empty <svg> in the page (no URL in code).
const NS = $('#svg-ns').namespaceURI;
function svg(tag, attrs = {}, ...children) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  for (const c of children) n.append(c);
  return n;
}

/** bars draws horizontal bars for the largest groups (at most max). */
function bars(host, groups, max = 10, label = nameOf) {
  host.replaceChildren();
  const top = (groups ?? []).slice(0, max);
  if (!top.length) { host.append(el('p', { class: 'muted empty' }, t('rep.no_data'))); return; }
  const W = 460, row = 22, left = 150, H = top.length * row + 4;
  const peak = Math.max(...top.map((g) => g.count), 1);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': t('rep.bar_label') });
  top.forEach((g, i) => {
    const y = i * row + 2, w = Math.max(1, ((W - left - 60) * g.count) / peak);
    const name = label(g.key);
    chart.append(svg('g', { class: 'bar', 'data-key': g.key, 'data-count': g.count },
      svg('title', {}, `${name}: ${num(g.count)}`),
      svg('text', { x: left - 6, y: y + 15, 'text-anchor': 'end', class: 'bar-label' }, name.length > 12 ? `${name.slice(0, 11)}…` : name),
      svg('rect', { x: left, y: y + 3, width: w, height: row - 8, rx: 2, class: 'bar-rect' }),
      svg('text', { x: left + w + 4, y: y + 15, class: 'bar-value' }, num(g.count))));
  });
  host.append(chart);
}

/** line draws the period's volume per hour or per day. */
function line(host, series, kind) {
  host.replaceChildren();
  if (!series?.length) return;
  const W = 940, H = 180, L = 44, B = 22, T = 10;
  const peak = Math.max(...series.map((p) => p.count), 1);
  const x = (i) => L + ((W - L - 10) * i) / Math.max(series.length - 1, 1);
  const y = (c) => T + (H - T - B) * (1 - c / peak);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': t('rep.series') });
  for (const f of [0, 0.5, 1]) {
    chart.append(svg('line', { x1: L, x2: W - 10, y1: y(peak * f), y2: y(peak * f), class: 'grid' }),
      svg('text', { x: L - 6, y: y(peak * f) + 4, 'text-anchor': 'end', class: 'axis' }, num(Math.round(peak * f))));
  }
  const step = Math.ceil(series.length / 12);
  series.forEach((p, i) => {
    if (i % step) return;
    const at = kind === 'daily' ? bjTime(p.at).slice(6) : bjDay(p.at).slice(5);
    chart.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', class: 'axis' }, at));
  });
  chart.append(svg('polyline', { points: series.map((p, i) => `${x(i)},${y(p.count)}`).join(' '), class: 'line', 'data-total': series.reduce((a, p) => a + p.count, 0) }));
  series.forEach((p, i) => chart.append(svg('circle', { cx: x(i), cy: y(p.count), r: 2.5, class: 'dot' }, svg('title', {}, `${bjTime(p.at)}: ${num(p.count)}`))));
  host.append(chart);
}

// ---------------------------------------------------------------- render

function tile(id, label, value, sub = '') {
  return el('div', { class: 'tile', dataset: { tile: id } },
    el('div', { class: 'tile-label' }, label), el('div', { class: 'tile-value' }, value), el('div', { class: 'tile-sub muted' }, sub));
}

function renderTiles(r) {
  const d = r.dispatch, rt = r.rates, c = r.calls;
  const tiles = [
    tile('total', t('rep.total'), num(r.total), `${t('rep.vs_prev')} ${change(r.total, r.previous.total)} · ${t('rep.vs_year')} ${change(r.total, r.last_year.total)}`),
    tile('dispatched', t('rep.dispatched'), num(d.dispatched), `${t('rep.returns')} ${d.returns} · ${t('rep.reopened')} ${d.reopened}`),
    tile('extensions', t('rep.extensions'), `${d.extensions_approved}/${d.extensions_requested}`, t('rep.extensions_hint')),
    tile('overdue', t('rep.overdue'), num(d.overdue), `${t('rep.supervised')} ${d.supervised}`),
    tile('rates', t('rep.rates'), rt.valid ? `${pct(rt.response_rate)} · ${pct(rt.resolution_rate)} · ${pct(rt.satisfaction_rate)}` : '–',
      `${t('rep.valid')} ${rt.valid} · ${t('rep.score')} ${rt.valid ? rt.score.toFixed(2) : '–'}`),
  ];
  if (c) {
    tiles.push(tile('sl', t('rep.sl'), c.answered + c.abandoned ? pct(c.service_level) : '–', `${t('rep.answered')} ${num(c.answered)}/${num(c.offered)}`),
      tile('asa', t('rep.asa'), `${(c.asa_ms / 1000).toFixed(1)} s`, `${t('rep.aht')} ${(c.aht_ms / 1000).toFixed(0)} s`),
      tile('abandon', t('rep.abandon'), pct(c.abandon_rate), `${t('rep.occupancy')} ${pct(c.occupancy)}`));
  }
  $('#tiles').replaceChildren(...tiles);
}

function renderUrgent(r) {
  const daily = r.kind === 'daily';
  $('#urgent').hidden = !daily;
  if (!daily) return;
  $('#urgent-count').textContent = t('rep.urgent_count', { n: r.urgent.length });
  $('#urgent-empty').hidden = r.urgent.length > 0;
  $('#urgent-body').replaceChildren(...r.urgent.map((u) => el('tr', { dataset: { id: u.id, theme: u.theme } },
    el('td', {}, el('span', { class: `theme-badge ${u.theme}` }, t(THEME_KEY[u.theme] ?? 'rep.none'))),
    el('td', { class: 'mono' }, u.id), el('td', {}, bjTime(u.time)), el('td', {}, u.place), el('td', {}, u.summary))));
}

function renderMovers(r) {
  for (const b of $$('#mover-dims [data-dim]')) b.setAttribute('aria-pressed', String(b.dataset.dim === S.dim));
  const m = r.movers[S.dim], rows = [];
  for (const base of ['previous', 'last_year']) {
    for (const dir of ['rise', 'fall']) {
      for (const x of m[base][dir]) {
        rows.push(el('tr', { dataset: { key: x.key, base, dir } },
          el('td', {}, t(base === 'previous' ? 'rep.base_previous' : 'rep.base_year')),
          el('td', {}, el('span', { class: `move ${dir === 'rise' ? 'up' : 'down'}` }, t(dir === 'rise' ? 'rep.rise' : 'rep.fall'))),
          el('td', {}, nameOf(x.key)), el('td', { class: 'num' }, num(x.count)), el('td', { class: 'num' }, num(x.base)),
          el('td', { class: 'num' }, `${x.change > 0 ? '+' : ''}${x.change}`), el('td', { class: 'num' }, x.pct == null ? t('rep.new') : pct(x.pct))));
      }
    }
  }
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('rep.no_movers'))));
  $('#movers-body').replaceChildren(...rows);
}

function render() {
  for (const b of $$('#rep-kinds [role="tab"]')) {
    const on = b.dataset.kind === S.kind;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('#rep-date').value = S.date;
  const r = S.rep;
  if (!r) return;
  $('#rep-period').textContent = `${bjDay(r.from)} ${bjTime(r.from).slice(6)} – ${bjDay(r.to)} ${bjTime(r.to).slice(6)}`;
  $('#rep-partial').hidden = !r.partial;
  $('#rep-generated').textContent = fmtDateTime(r.generated_at);
  renderUrgent(r);
  renderTiles(r);
  line($('#chart-series'), r.series, r.kind);
  bars($('#chart-category'), r.volume.category);
  bars($('#chart-district'), r.volume.district);
  bars($('#chart-channel'), r.volume.channel, 6, (k) => enumName(CHANNEL_KEY, k));
  bars($('#chart-type'), r.volume.type, 6, (k) => enumName(TYPE_KEY, k));
  bars($('#chart-unit'), r.volume.unit);
  renderMovers(r);
}

// ---------------------------------------------------------------- load

/** dateOf is the YYYY-MM-DD that names a report (the monthly label is YYYY-MM). */
const dateOf = (r) => (r.kind === 'monthly' ? `${r.label}-01` : r.label);

async function load() {
  const n = ++loads;
  try {
    const r = await api.get(`/api/v1/reports/${S.kind}`, S.date ? { date: S.date } : {});
    if (n !== loads) return;
    S.rep = r;
    S.date = dateOf(r);
    $('#banner').hidden = true;
    render();
  } catch (e) {
    if (n !== loads) return;
    $('#banner-text').textContent = `${t('rep.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
}

/** download fetches the shown report as csv or xlsx with the session's token and saves it. */
async function download(format, button) {
  if (!S.rep) return;
  button.disabled = true;
  try {
    S.download = await api.download(`/api/v1/reports/${S.kind}`, { date: S.date, format },
      `report-${S.kind}-${S.rep.label}.${format}`);
    const { name } = S.download;
    toast(t('rep.downloaded', { name }));
  } catch (e) {
    toast(`${t('rep.download_failed')}: ${api.errorText(e, t)}`, { bad: true });
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- boot

function selectKind(kind) {
  S.kind = kind;
  S.date = '';
  S.rep = null;
  render();
  load();
}

for (const b of $$('#rep-kinds [role="tab"]')) b.addEventListener('click', () => selectKind(b.dataset.kind));
$('#rep-kinds').addEventListener('keydown', (ev) => {
  const i = KINDS.indexOf(S.kind);
  const to = { ArrowRight: i + 1, ArrowLeft: i - 1 }[ev.key];
  if (to === undefined) return;
  ev.preventDefault();
  selectKind(KINDS[(to + KINDS.length) % KINDS.length]);
  $(`#kind-${S.kind}`).focus();
});
for (const b of $$('#mover-dims [data-dim]')) b.addEventListener('click', () => { S.dim = b.dataset.dim; if (S.rep) renderMovers(S.rep); });
$('#rep-date').addEventListener('change', () => { if ($('#rep-date').value) { S.date = $('#rep-date').value; load(); } });
$('#rep-prev').addEventListener('click', () => { if (S.date) { S.date = shift(S.date, S.kind, -1); load(); } });
$('#rep-next').addEventListener('click', () => { if (S.date) { S.date = shift(S.date, S.kind, 1); load(); } });
$('#rep-csv').addEventListener('click', () => download('csv', $('#rep-csv')));
$('#rep-xlsx').addEventListener('click', () => download('xlsx', $('#rep-xlsx')));
$('#rep-refresh').addEventListener('click', load);
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); load(); }
});
window.addEventListener('langchange', () => { if (S.user) render(); });

window.hotlineReports = Object.freeze({
  state: () => ({ kind: S.kind, date: S.date, loads, download: S.download ? { ...S.download } : null, report: S.rep ? structuredClone(S.rep) : null }),
});

gate({
  roles: ['supervisor', 'admin', 'analyst'], title: 'rep.name', forbidden: 'rep.forbidden',
  onStart: (user) => { S.user = user; S.kind = 'daily'; S.date = ''; clock.now(); load(); },
  onStop: () => { loads++; S.user = null; S.rep = null; },
});
