// The supervisor wallboard: subscribes to the desk WebSocket's wallboard
// (docs/softphone.md, "Supervisor") and renders today's figures, the queues
// and the agents; "listen" silently listens to an agent's call over the
// page's own PeerConnection, and "whisper" (in the listen bar) lets the
// supervisor speak to that agent without the caller hearing: the
// microphone is asked for at the first whisper and is on the wire only
// while the server says the whisper is on (MicLeg, assets/rtc.js).
//
// Element ids for tests: #login-* (assets/gate.js), #wb-user #wb-updated
// #ws-status #rtc-status #lang-toggle #logout #banner; KPI tiles #kpi-sl #kpi-asa #kpi-abandon #kpi-aht
// #kpi-occupancy #kpi-calls (each with .kpi-value, data-level=warn|bad);
// #queues > .queue[data-queue=NAME][data-level=ok|warn|bad] with
// .waiting, .wait; #by-state; #agents-body > tr[data-agent=ID]
// [data-state=…] with a button #listen-ID (data-testid="listen") for agents
// on a call; #listen-bar (data-whisper=true|false) #listen-status
// #listen-whisper (aria-pressed) #listen-stop; #remote-audio.
//
// Read-only debug hook: window.hotlineWallboard = {snapshot(), listening(),
// micOnWire()}; listening() is {call, agent, name, whisper} or null.

import { $, el, clock, fmtDuration, fmtTime, fmtPercent, since, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { DeskSocket } from '../assets/ws.js';
import { MicLeg } from '../assets/rtc.js';
import { gate } from '../assets/gate.js';
import { STATE_KEY, REASON_KEY, word, connWord, connOk } from '../assets/words.js';

const WAIT_WARN_MS = 60000; // longest wait turns amber
const WAIT_BAD_MS = 120000; // … and red
const SL_TARGET = 0.8;
const ABANDON_WARN = 0.05;

const STATE_ORDER = ['offered', 'on_call', 'wrap_up', 'ready', 'not_ready', 'offline'];

const W = { snap: null, at: 0, listen: null, me: '', wsStatus: 'stopped', rtc: { local: 'none', server: false } };
let sock = null;
let leg = null;
let mic = null; // the microphone's MediaStream, from the first whisper on

function stop() {
  sock?.stop();
  leg?.close();
  for (const tr of mic?.getTracks() ?? []) tr.stop();
  sock = null;
  leg = null;
  mic = null;
  W.snap = null;
  W.listen = null;
}

// ---------------------------------------------------------------- connection

function start() {
  sock = new DeskSocket({ token: api.token });
  leg = new MicLeg(sock, { audio: $('#remote-audio') }); // sendrecv, silent until a whisper
  leg.addEventListener('state', (ev) => { W.rtc = ev.detail; renderConn(); });
  sock.addEventListener('status', (ev) => {
    W.wsStatus = ev.detail.status;
    if (W.wsStatus === 'unauthorized') page.signedOut();
    if (W.wsStatus !== 'online' && W.listen) listenGone();
    renderConn();
    renderListen();
  });
  sock.addEventListener('welcome', async (ev) => {
    $('#banner').hidden = true;
    try {
      await sock.send({ type: 'wallboard', on: true });
    } catch (err) {
      showBanner(`${t('wb.subscribe_failed')}: ${err.message}`);
    }
    W.me = ev.detail.agent?.id ?? '';
    leg.welcome(ev.detail, mic);
  });
  sock.addEventListener('message', (ev) => {
    if (ev.detail.type === 'wallboard') {
      W.snap = ev.detail;
      W.at = Date.parse(ev.detail.at) || clock.now();
      const off = W.at - Date.now();
      if (Math.abs(off - clock.offset) > 1500) clock.offset = off;
      render();
    } else if (ev.detail.type === 'whisper') {
      onWhisper(ev.detail);
    }
  });
  sock.start();
  render();
}

function showBanner(text) {
  $('#banner-text').textContent = text;
  $('#banner').hidden = false;
}

function renderConn() {
  const ws = $('#ws-status');
  const st = W.wsStatus;
  ws.dataset.ok = connOk(st);
  ws.textContent = `${t('conn.ws')} ${connWord(st)}`;
  const rtc = $('#rtc-status');
  const ok = W.rtc.server ? 'true' : W.rtc.local === 'failed' ? 'false' : 'wait';
  rtc.dataset.ok = ok;
  rtc.textContent = `${t('conn.rtc')} ${t(ok === 'true' ? 'conn.online' : ok === 'false' ? 'conn.failed' : 'conn.connecting')}`;
  rtc.title = `${t('conn.rtc_local')}: ${W.rtc.local}`;
}

// ---------------------------------------------------------------- listening

async function listen(agent) {
  if (!agent.call) return;
  if (W.listen) await stopListen();
  try {
    await sock.send({ type: 'listen', call: agent.call, on: true });
    W.listen = { call: agent.call, agent: agent.id, name: agent.name, whisper: false };
    $('#remote-audio').play().catch(() => {});
  } catch (err) {
    toast(`${t('wb.listen_failed')}: ${err.message}`, { bad: true });
  }
  render();
}

async function stopListen() {
  const l = W.listen;
  if (!l) return;
  listenGone();
  try { await sock.send({ type: 'listen', call: l.call, on: false }); } catch { /* the call may be over */ }
  render();
}

// listenGone forgets the listen (and the whisper): the microphone leaves
// the wire at once.
function listenGone() {
  W.listen = null;
  leg?.setSending(false);
}

// ---------------------------------------------------------------- whisper

// toggleWhisper asks the server to switch the listen to a whisper or back.
// The microphone goes on the wire before the request, so the first words
// reach the agent; the server's whisper message then decides.
async function toggleWhisper() {
  const l = W.listen;
  if (!l) return;
  if (l.whisper) {
    l.whisper = false;
    leg?.setSending(false);
    renderListen();
    try { await sock.send({ type: 'listen', call: l.call, on: true, mode: 'listen' }); } catch { /* the call may be over */ }
    return;
  }
  try {
    if (!mic) {
      mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
      await leg?.replaceTrack(mic);
    }
  } catch (err) {
    toast(`${t('wb.whisper_no_mic')}: ${err.message}`, { bad: true });
    return;
  }
  if (W.listen !== l) return; // the listen ended while the browser asked
  await leg?.setSending(true);
  try {
    await sock.send({ type: 'listen', call: l.call, on: true, mode: 'whisper' });
    if (W.listen === l) l.whisper = true;
  } catch (err) {
    if (!l.whisper) leg?.setSending(false);
    toast(`${t('wb.whisper_failed')}: ${err.message}`, { bad: true });
  }
  renderListen();
}

// onWhisper follows the server: our whisper started or ended (the call
// ended, or a warm transfer moved the caller to another agent).
function onWhisper(msg) {
  if (msg.by_id !== W.me) return;
  const l = W.listen;
  if (msg.on) {
    if (l?.call === msg.call) { l.whisper = true; leg?.setSending(true); }
  } else if (l?.call === msg.call && l.whisper) {
    l.whisper = false;
    leg?.setSending(false);
    if (msg.reason !== 'stopped') toast(t('wb.whisper_ended'));
  }
  renderListen();
}

function renderListen() {
  const l = W.listen;
  const bar = $('#listen-bar');
  bar.hidden = !l;
  bar.dataset.whisper = String(!!l?.whisper);
  if (!l) return;
  const name = l.name || l.agent;
  $('#listen-status').textContent = t(l.whisper ? 'wb.whispering' : 'wb.listening', { name });
  const btn = $('#listen-whisper');
  btn.setAttribute('aria-pressed', String(!!l.whisper));
  btn.className = l.whisper ? 'btn small primary' : 'btn small';
  btn.textContent = t(l.whisper ? 'wb.whisper_stop' : 'wb.whisper');
}

// ---------------------------------------------------------------- render

function render() {
  renderConn();
  const s = W.snap;
  // A listened call that is no longer on the board has ended.
  if (W.listen && s && !s.agents?.some((a) => a.call === W.listen.call)) listenGone();
  renderListen();
  if (!s) return;
  $('#wb-updated').textContent = fmtTime(W.at);
  renderKPIs(s.today ?? {});
  renderQueues(s.queues ?? []);
  renderAgents(s.agents ?? [], s.by_state ?? {});
}

function kpi(id, value, sub = '', level = '') {
  const n = $(`#${id}`);
  n.querySelector('.kpi-value').textContent = value;
  if (sub !== null) n.querySelector('.kpi-sub').textContent = sub;
  if (level) n.dataset.level = level;
  else delete n.dataset.level;
}

function renderKPIs(k) {
  const sl = k.service_level;
  kpi('kpi-sl', fmtPercent(sl), sl < SL_TARGET ? t('wb.below_target', { p: SL_TARGET * 100 }) : t('wb.target', { p: SL_TARGET * 100 }), sl < SL_TARGET ? 'warn' : '');
  kpi('kpi-asa', t('wb.seconds', { s: ((k.asa_ms ?? 0) / 1000).toFixed(1) }), null);
  kpi('kpi-abandon', fmtPercent(k.abandon_rate), t('wb.abandoned_n', { n: k.abandoned ?? 0 }), k.abandon_rate > ABANDON_WARN ? 'warn' : '');
  kpi('kpi-aht', fmtDuration(k.aht_ms ?? 0), null);
  kpi('kpi-occupancy', fmtPercent(k.occupancy), '');
  kpi('kpi-calls', `${k.offered ?? 0}/${k.answered ?? 0}`, t('wb.offered_answered'));
}

function waitLevel(ms) { return ms > WAIT_BAD_MS ? 'bad' : ms > WAIT_WARN_MS ? 'warn' : 'ok'; }

function liveWait(q) {
  if (!q.waiting) return 0;
  return (q.longest_wait_ms ?? 0) + Math.max(0, clock.now() - W.at);
}

function renderQueues(queues) {
  const box = $('#queues');
  box.replaceChildren(...queues.map((q) => {
    const wait = liveWait(q);
    const level = waitLevel(wait);
    const word = level === 'bad' ? t('wb.wait_bad') : level === 'warn' ? t('wb.wait_warn') : '';
    return el('div', { class: 'queue', dataset: { queue: q.name, level } },
      el('h3', {}, el('span', {}, q.title || q.name), word ? el('span', { class: 'wait-word' }, word) : null),
      el('div', {}, el('div', { class: 'lbl' }, t('wb.waiting')), el('div', { class: 'big waiting' }, String(q.waiting ?? 0))),
      el('div', {}, el('div', { class: 'lbl' }, t('wb.longest_wait')), el('div', { class: 'big wait' }, fmtDuration(wait))),
      el('div', { class: 'agents-line' },
        t('wb.q_ready'), ' ', el('b', {}, String(q.agents_ready ?? 0)), ' · ',
        t('wb.q_busy'), ' ', el('b', {}, String(q.agents_busy ?? 0)), ' · ',
        t('wb.q_logged_in'), ' ', el('b', {}, String(q.agents_logged_in ?? 0))),
    );
  }));
  if (!queues.length) box.replaceChildren(el('p', { class: 'muted' }, t('wb.no_queues')));
}

function renderAgents(agents, byState) {
  $('#by-state').replaceChildren(...STATE_ORDER.filter((s) => byState[s] !== undefined).map((s) =>
    el('span', { class: 'state-badge', dataset: { state: s } }, t(STATE_KEY[s]), ' ', el('b', {}, String(byState[s])))));
  const sorted = [...agents].sort((a, b) =>
    (STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state)) || (Date.parse(a.since) - Date.parse(b.since)));
  $('#agents-empty').hidden = sorted.length > 0;
  const focusedId = document.activeElement?.id;
  $('#agents-body').replaceChildren(...sorted.map((a) => {
    const listening = W.listen?.call && W.listen.call === a.call;
    let action = null;
    if (a.state === 'on_call' && a.call) {
      action = el('button', {
        id: `listen-${a.id}`, class: listening ? 'btn small primary' : 'btn small', type: 'button',
        'data-testid': 'listen', 'aria-pressed': String(!!listening),
      }, t(listening ? 'wb.listen_stop' : 'wb.listen'));
      action.addEventListener('click', () => (listening ? stopListen() : listen(a)));
    }
    const reason = a.state === 'not_ready' && a.reason ? ` · ${word(REASON_KEY, a.reason)}` : '';
    return el('tr', { dataset: { agent: a.id, state: a.state }, class: listening ? 'listening' : '' },
      el('td', {}, a.name || a.id),
      el('td', {}, el('span', { class: 'state-badge', dataset: { state: a.state } }, word(STATE_KEY, a.state) + reason)),
      el('td', { class: 'time', dataset: { since: a.since } }, fmtDuration(since(a.since))),
      el('td', { class: 'num' }, String(a.calls_today ?? 0)),
      el('td', { class: 'mono' }, a.call || ''),
      el('td', {}, action));
  }));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

// Running clocks between snapshots: time in state and the longest waits.
function tick() {
  if (!W.snap) return;
  for (const td of document.querySelectorAll('#agents-body td.time')) td.textContent = fmtDuration(since(td.dataset.since));
  for (const q of W.snap.queues ?? []) {
    const tile = document.querySelector(`#queues .queue[data-queue="${CSS.escape(q.name)}"]`);
    if (!tile) continue;
    const wait = liveWait(q);
    if (waitLevel(wait) !== tile.dataset.level) { renderQueues(W.snap.queues); return; }
    tile.querySelector('.wait').textContent = fmtDuration(wait);
  }
}

// ---------------------------------------------------------------- boot

window.addEventListener('langchange', render);
$('#listen-stop').addEventListener('click', stopListen);
$('#listen-whisper').addEventListener('click', toggleWhisper);
setInterval(tick, 500);

window.hotlineWallboard = Object.freeze({
  snapshot: () => (W.snap ? structuredClone(W.snap) : null),
  listening: () => (W.listen ? { ...W.listen } : null),
  micOnWire: () => leg?.micOnWire ?? false,
});

const page = gate({
  roles: ['supervisor', 'admin'], title: 'wb.name', view: 'board-view', who: 'wb-user', denied: 'login.not_supervisor',
  onStart: start, onStop: stop, beforeSignOut: stopListen,
});
