// The hot-spot page (热点发现): GET /api/v1/hotspots?days=N&top=20 — the
// clusters of the window's tickets by place and matter, hottest first, each
// with its heat, size, citizens, likes, growth, span, place, keywords, the
// representative description, an inline SVG sparkline of tickets per
// period and its member tickets; the early warnings on top, each with its
// reason in numbers.
//
// Element ids for tests: #login-* (gate.js), #forbidden-view, #app-view,
// #who, #hs-updated, #hs-days, #hs-refresh, #banner; #hs-alert-list and
// #hs-list > li.hs-card[data-cluster] with .hs-heat .hs-desc .hs-meta
// .hs-place .hs-keywords svg.hs-spark details.hs-members (.hs-reason on
// alerts); #hs-alerts-empty, #hs-empty, #hs-summary.
//
// Read-only debug hook: window.hotlineHotspots = {state()}.

import { $, el, clock, fmtDateTime, fmtTime } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';

const SVG = $('#hs-svg-ns').namespaceURI; // the namespace, from an <svg> in the page
const S = { user: null, days: 7, data: null, at: 0 };
let loads = 0; // a newer load makes an older one's answer stale

/** sparkline draws counts per period as a polyline, the latest period marked. */
function sparkline(counts) {
  const w = 180, h = 40, n = Math.max(counts.length, 1), top = Math.max(1, ...counts);
  const x = (i) => (n === 1 ? w / 2 : (i * (w - 4)) / (n - 1) + 2);
  const y = (v) => h - 3 - (v * (h - 6)) / top;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'hs-spark');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${t('hs.sparkline')}: ${counts.join(', ')}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', counts.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' '));
  svg.append(line);
  if (counts.length) {
    const last = counts.length - 1, dot = document.createElementNS(SVG, 'rect');
    dot.setAttribute('class', 'latest');
    dot.setAttribute('x', (x(last) - 2).toFixed(1));
    dot.setAttribute('y', (y(counts[last]) - 2).toFixed(1));
    dot.setAttribute('width', '4');
    dot.setAttribute('height', '4');
    svg.append(dot);
  }
  return svg;
}

function card(c, alerted) {
  const li = el('li', { class: `hs-card${c.alert ? ' alerted' : ''}`, dataset: { cluster: c.id } },
    el('div', { class: 'hs-heat', title: t('hs.heat') }, c.heat.toFixed(1), el('small', { text: t('hs.heat') })),
    el('div', {},
      el('div', { class: 'hs-desc', text: c.description }),
      el('div', { class: 'hs-meta', text: t('hs.meta', { size: c.size, citizens: c.citizens, support: c.support, growth: c.growth }) }),
      el('div', { class: 'hs-meta', text: t('hs.span', { first: fmtDateTime(c.first), last: fmtDateTime(c.last) }) }),
      c.place.length ? el('div', { class: 'hs-place', text: `${t('hs.place')}: ${c.place.join(' · ')}` }) : null,
      c.keywords.length ? el('div', { class: 'hs-keywords' }, `${t('hs.keywords')}: `, c.keywords.map((k) => el('span', { text: k }))) : null,
      alerted && c.alert ? el('div', { class: 'hs-reason', text: t('hs.alert_reason', c.alert) }) : null),
    sparkline(c.periods),
    el('details', { class: 'hs-members' }, el('summary', { text: t('hs.members', { n: c.members.length }) }),
      c.members.map((id) => el('code', { text: id }))));
  return li;
}

function render() {
  const d = S.data;
  $('#hs-updated').textContent = S.at ? fmtTime(S.at) : '–';
  const alerts = d?.alerts ?? [], clusters = d?.clusters ?? [];
  $('#hs-alert-list').replaceChildren(...alerts.map((c) => card(c, true)));
  $('#hs-alerts-empty').hidden = alerts.length > 0;
  $('#hs-list').replaceChildren(...clusters.map((c) => card(c, false)));
  $('#hs-empty').hidden = clusters.length > 0;
  $('#hs-summary').textContent = d ? t('hs.summary', { messages: d.messages, clusters: clusters.length }) : '';
}

async function load() {
  const mine = ++loads;
  try {
    const data = await api.get('/api/v1/hotspots', { days: S.days, top: 20 });
    if (mine !== loads) return;
    S.data = data;
    S.at = clock.now();
    $('#banner').hidden = true;
  } catch (e) {
    if (mine !== loads) return;
    $('#banner-text').textContent = `${t('hs.load_failed')}: ${api.errorText(e, t)}`;
    $('#banner').hidden = false;
  }
  render();
}

function start(user) {
  S.user = user;
  load();
}

function stop() {
  loads++;
  S.user = null;
  S.data = null;
}

$('#hs-days').addEventListener('change', () => { S.days = Number($('#hs-days').value); load(); });
$('#hs-refresh').addEventListener('click', load);
document.addEventListener('keydown', (ev) => {
  if (ev.altKey && (ev.key === 'r' || ev.key === 'R') && !$('#app-view').hidden) { ev.preventDefault(); load(); }
});
window.addEventListener('langchange', () => { if (S.user) render(); });

window.hotlineHotspots = Object.freeze({
  state: () => ({ days: S.days, at: S.at, data: S.data ? structuredClone(S.data) : null }),
});

gate({ roles: ['analyst', 'supervisor', 'admin'], title: 'hs.name', forbidden: 'hs.forbidden', onStart: start, onStop: stop });
