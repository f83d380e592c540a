// The agent desk: softphone, screen-pop, knowledge base and the work-order
// form, over the desk WebSocket (docs/softphone.md) and the JSON API
// (docs/api.md).
//
// Element ids that tests (and people) may rely on — keep them stable:
//
//   login       #login-view and the ids of assets/gate.js
//   top bar     #agent-name #state-label (data-state=offline|ready|not_ready|
//               offered|on_call|wrap_up) #state-timer #state-ready
//               #notready-reason #state-notready #calls-today
//               #ws-status #rtc-status (data-ok=true|false|wait)
//               #lang-toggle #logout #banner #banner-text #banner-action
//   call        #call-idle #offer-panel #offer-caller #offer-queue #offer-ivr
//               #offer-waited #offer-countdown #offer-transfer #offer-note
//               #answer #reject
//               #call-panel #call-caller #call-timer #call-queue #call-ivr
//               #call-id #flag-held #flag-muted #flag-whisper #flag-warm #transfer-withdraw
//               #mute #hold (aria-pressed) #keypad #keypad-panel
//               [data-digit] #keypad-sent #transfer #transfer-panel
//               #transfer-to-queue #transfer-to-agent #transfer-queue
//               #transfer-agent #transfer-mode-blind #transfer-mode-warm
//               #transfer-note #transfer-submit #transfer-cancel #hangup
//               #wrapup-panel #wrapup-countdown #wrapup-warning #wrapup-done
//               #devices #mic-select #speaker-select #remote-audio
//   work order  #wo-form #wo-call #wo-result (.ticket-id holds the number)
//               #wo-error #wo-type #wo-urgency #wo-category-filter
//               #wo-category #wo-classify (classify.js) #wo-address #wo-resolve #wo-area #wo-suggest
//               #wo-contact #wo-name #wo-content #wo-confidential
//               #wo-nocallback #wo-triage #wo-handoff #wo-nodispatch
//               #wo-submit #wo-clear #wo-saved #wo-article #wo-note
//               #wo-answered #drafts #drafts-list
//               field errors: #<input id>-error (e.g. #wo-content-error)
//   side        #history-phone #history-status #history-list (li[data-ticket])
//               #kb-form #kb-q #kb-search #kb-status #kb-results
//               #kb-article #kb-article-title #kb-article-body #kb-use #kb-back
//
// Read-only debug hook for tests: window.hotlineDesk = {state(), call(),
// rtcConnected(), lastTicket(), micOnWire(), packetsSent()} — state() is the
// agent state ("offline" before the welcome), call() the offered/connected/
// ended call or null, rtcConnected() the server's view of the PeerConnection
// (rtc_state), lastTicket() the number of the last work order filed here,
// micOnWire() whether the microphone track is on the PeerConnection's sender,
// packetsSent() a promise of the audio packets sent so far (getStats
// outbound-rtp).

import { $, $$, el, clock, fmtDuration, fmtDateTime, since, until, debounce, typing, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { DeskSocket } from '../assets/ws.js';
import { MicLeg } from '../assets/rtc.js';
import { Ringer } from '../assets/ring.js';
import { gate } from '../assets/gate.js';
import { clearErrors, clearField } from '../assets/forms.js';
import { initClassify, clearClassify } from './classify.js';
import { STATE_KEY, REASON_KEY, TSTATE_KEY, TYPE_KEY, URGENCY_KEY, word, connWord, connOk } from '../assets/words.js';

// ---------------------------------------------------------------- words

const ENDED_KEY = {
  caller: 'ended.caller', agent: 'ended.agent', transfer: 'ended.transfer', dropped: 'ended.dropped',
};
const CANCEL_KEY = {
  taken: 'cancelled.taken', abandoned: 'cancelled.abandoned', timeout: 'cancelled.timeout',
  withdrawn: 'cancelled.withdrawn', overflow: 'cancelled.overflow',
};
const LANG_KEY = { zh: 'ivrlang.zh', en: 'ivrlang.en' };
const TRIAGE_DONE_KEY = {
  dispatch: 'wo.done_dispatch', answered: 'wo.done_answered',
  emergency: 'wo.done_emergency', no_dispatch: 'wo.done_no_dispatch',
};

const stateWord = (s) => t(STATE_KEY[s] ?? 'state.offline');

// ---------------------------------------------------------------- state

const S = {
  user: null,
  welcome: null,
  agent: null, // the last state message: {state, reason, since, call, wrapup_until, calls_today}
  offer: null, // the ringing offer, with .at (performance.now() on arrival)
  answering: false,
  micOpen: false, // the answer is on its way: the microphone goes on the wire first
  unholding: false, // taking the call off hold: the microphone goes on the wire first
  call: null, // the connected call: {call, caller, queue, attrs, recording, since, held, muted, warm (a warm transfer is pending)}
  ended: null, // the call that just ended: {call, by, wrapup_until}
  wrapConfirm: false,
  rtcServer: false,
  lastTicket: '',
  result: null, // the last work order filed here: {id, triage, unit}
  queues: [],
  wsStatus: { status: 'stopped' },
  mic: null, // MediaStream
  micError: '',
  micPending: null,
};

let sock = null;
let leg = null;
const ringer = new Ringer();
const audio = () => $('#remote-audio');

// ---------------------------------------------------------------- sign-in (assets/gate.js)

/** leaving refuses a sign-out during a call (the button is disabled then too). */
function leaving() {
  if (S.call || S.offer) {
    toast(t('logout.on_call'), { bad: true });
    return false;
  }
  return true;
}

function stopDesk() {
  saveDraft.flush();
  sock?.stop();
  leg?.close();
  sock = null;
  leg = null;
  ringer.stop();
  for (const tr of S.mic?.getTracks() ?? []) tr.stop();
  Object.assign(S, { welcome: null, agent: null, offer: null, call: null, ended: null, rtcServer: false, mic: null, micPending: null });
  renderAll();
}

// ---------------------------------------------------------------- desk start

function startDesk(user) {
  S.user = user;
  restoreFormForCall(null);
  loadReference();
  requestMic();

  sock = new DeskSocket({ token: api.token });
  leg = new MicLeg(sock, { audio: audio() }); // the microphone on the wire from the answer to the call's end, not on hold
  leg.addEventListener('state', (ev) => {
    S.rtcServer = ev.detail.server;
    renderConn();
    renderState();
  });
  sock.addEventListener('status', (ev) => {
    S.wsStatus = ev.detail;
    if (ev.detail.status === 'unauthorized') page.signedOut();
    if (ev.detail.status === 'replaced') showBanner('banner.replaced', 'banner.take_over', () => { hideBanner(); sock?.reconnectNow(); });
    if (ev.detail.status !== 'online') S.rtcServer = leg?.serverConnected ?? false;
    renderConn();
    renderState();
  });
  sock.addEventListener('welcome', (ev) => onWelcome(ev.detail));
  sock.addEventListener('message', (ev) => onMessage(ev.detail));
  sock.start();
  renderAll();
}

async function requestMic(deviceId) {
  if (S.micPending) return S.micPending;
  const constraints = {
    audio: {
      echoCancellation: true, noiseSuppression: true, autoGainControl: true,
      ...(deviceId || localStorage.getItem('hotline.mic') ? { deviceId: deviceId || localStorage.getItem('hotline.mic') } : {}),
    },
  };
  S.micPending = navigator.mediaDevices.getUserMedia(constraints).then((stream) => {
    S.mic = stream;
    S.micError = '';
    hideBanner();
    listDevices();
    return stream;
  }, (err) => {
    S.micError = err?.name || String(err);
    S.micPending = null;
    showBanner('banner.no_mic', 'banner.retry', async () => {
      hideBanner();
      const stream = await requestMic();
      if (stream && sock?.welcome) leg.welcome({ ...sock.welcome, resumed: false }, stream);
    }, { detail: S.micError });
    renderConn();
    return null;
  });
  return S.micPending;
}

async function onWelcome(msg) {
  S.welcome = msg;
  hideBanner();
  if (msg.agent?.role && msg.agent.role !== 'agent') {
    showBanner('banner.not_agent');
    return;
  }
  S.queues = msg.queues ?? [];
  renderQueues();
  S.agent = msg.state ?? null;
  // The welcome is the truth after a (re)connect: the call in progress (or
  // none: it ended while we were away) and whether an offer still rings.
  if (msg.call) setConnected(msg.call);
  else S.call = null;
  if (!msg.resumed || S.agent?.state !== 'offered') stopOffer();
  if (S.agent?.state === 'wrap_up' && S.agent.call && !S.call) {
    S.ended = { call: S.agent.call, by: S.ended?.call === S.agent.call ? S.ended.by : '', wrapup_until: S.agent.wrapup_until };
    if (formCtx?.call !== S.agent.call) restoreFormForCall({ call: S.agent.call });
  }
  flushLinks();
  renderAll();
  const stream = await requestMic();
  if (stream && sock?.welcome === msg) leg.welcome(msg, stream);
}

// ---------------------------------------------------------------- messages

function onMessage(msg) {
  switch (msg.type) {
    case 'state': {
      const { type, ...st } = msg;
      S.agent = st;
      if (['ready', 'not_ready', 'offline'].includes(st.state)) {
        if (S.offer) stopOffer();
        S.wrapConfirm = false;
        // The call is over: a clean form no longer belongs to it (a dirty
        // one keeps its call until it is filed or discarded).
        if (formCtx?.call && !S.call && !formDirty()) restoreFormForCall(null);
      }
      if (st.state === 'wrap_up' && st.call && !S.call) {
        S.ended = { ...(S.ended?.call === st.call ? S.ended : { call: st.call, by: '' }), wrapup_until: st.wrapup_until };
      }
      renderAll();
      break;
    }
    case 'offer':
      S.offer = { ...msg, at: performance.now() };
      S.answering = false;
      ringer.start();
      screenPop(msg.caller);
      renderAll();
      // Never steal the focus from someone typing (Enter would answer).
      if (!typing()) $('#answer').focus({ preventScroll: true });
      break;
    case 'offer_cancelled':
      if (S.offer?.call === msg.call) {
        stopOffer();
        toast(t(CANCEL_KEY[msg.reason] ?? 'cancelled.other'));
        renderAll();
      }
      break;
    case 'connected':
      setConnected(msg);
      renderAll();
      break;
    case 'held':
      if (S.call?.call === msg.call) { S.call.held = !!msg.on; syncMic(); renderCall(); }
      break;
    case 'transfer_state':
      onTransferState(msg);
      break;
    case 'whisper': // a supervisor speaks to us; the caller cannot hear them (sent again after a resumed welcome, whose call resets the flag)
      if (S.call?.call === msg.call) { S.call.whisper = msg.on ? (msg.by || '–') : ''; renderCall(); }
      break;
    case 'call_ended':
      if (S.call?.call === msg.call || S.offer?.call === msg.call || !S.call) {
        S.ended = { call: msg.call, by: msg.by, wrapup_until: msg.wrapup_until };
        S.call = null;
        S.wrapConfirm = false;
        if (S.offer?.call === msg.call) stopOffer();
        leg?.setMicEnabled(true);
        closePanels();
        if (msg.by === 'dropped') toast(t('ended.dropped'), { bad: true });
        renderAll();
      }
      break;
    case 'error':
      if (!msg.id) console.warn('desk: server error', msg);
      break;
    default:
  }
}

function setConnected(c) {
  if (S.offer) stopOffer();
  S.call = {
    ...c,
    since: c.since || new Date(clock.now()).toISOString(),
    held: !!c.held,
    muted: !!c.muted,
    warm: !!c.warm_transfer, // a resumed welcome carries a pending warm transfer
  };
  S.ended = null;
  S.wrapConfirm = false;
  S.micOpen = false; // the call holds the microphone on the wire now
  leg?.setMicEnabled(!S.call.muted);
  syncMic();
  // Remembered for a reload during wrap-up, when only the call id comes back.
  sessionStorage.setItem(`hotline.callmeta.${c.call}`, JSON.stringify({ call: c.call, caller: c.caller, recording: c.recording, queue: c.queue }));
  if (formCtx?.call !== c.call) {
    S.result = null;
    renderResult();
    restoreFormForCall({ call: c.call, caller: c.caller, recording: c.recording, queue: c.queue });
  }
  screenPop(c.caller);
}

// A warm transfer we asked for: pending until the target answers (call_ended
// by transfer follows) or we withdraw it.
function onTransferState(msg) {
  const c = S.call;
  if (c?.call !== msg.call) return;
  c.warm = msg.state === 'pending';
  if (msg.state === 'cancelled') toast(t('transfer.withdrawn'));
  if (msg.state === 'answered') toast(t('transfer.answered', { name: msg.agent || msg.target || '' }));
  renderCall();
}

function stopOffer() {
  S.offer = null;
  S.answering = false;
  S.micOpen = false;
  ringer.stop();
}

/** micWanted: whether the microphone should be on the wire now. */
function micWanted() {
  if (S.call) return !S.call.held || S.unholding;
  return S.micOpen;
}

function syncMic() { return leg?.setSending(micWanted()); }

// ---------------------------------------------------------------- rendering

function renderAll() {
  syncMic(); // every state change passes here; a no-op when nothing changes
  if (ref.leaves.length) fillCategories();
  renderState();
  renderConn();
  renderOffer();
  renderCall();
  renderWrapup();
  renderQueues();
  renderFormMeta();
  renderResult();
  renderDrafts();
  renderHistory();
  renderKB();
  renderSuggest();
  tick();
}

function curState() { return S.agent?.state ?? 'offline'; }

function renderState() {
  const st = curState();
  const label = $('#state-label');
  label.dataset.state = st;
  const reason = S.agent?.reason && st === 'not_ready' ? ` · ${word(REASON_KEY, S.agent.reason)}` : '';
  label.textContent = stateWord(st) + reason;
  $('#calls-today').textContent = String(S.agent?.calls_today ?? 0);
  const online = sock?.online ?? false;
  const ready = $('#state-ready');
  ready.disabled = !online || !S.rtcServer || !['not_ready', 'offline'].includes(st);
  ready.title = !S.rtcServer ? t('state.need_audio') : '';
  $('#state-notready').disabled = !online || !(st === 'ready' || (st === 'not_ready' && S.agent?.reason !== $('#notready-reason').value));
  $('#logout').disabled = !!(S.call || S.offer);
  const hint = $('#idle-hint');
  hint.textContent = t(st === 'ready' ? 'idle.hint_ready' : 'idle.hint_not_ready');
  $('#idle-title').textContent = t(st === 'ready' ? 'idle.waiting' : 'idle.title');
}

function renderConn() {
  const ws = $('#ws-status');
  const st = S.wsStatus?.status ?? 'stopped';
  ws.dataset.ok = connOk(st);
  let text = connWord(st);
  if (st === 'retrying' && sock?.retryAt) text = t('conn.retrying_in', { s: Math.max(0, Math.ceil((sock.retryAt - Date.now()) / 1000)) });
  ws.textContent = `${t('conn.ws')} ${text}`;

  const rtc = $('#rtc-status');
  const local = leg?.local ?? 'none';
  let ok; let key;
  if (S.micError) { ok = 'false'; key = 'conn.no_mic'; }
  else if (S.rtcServer) { ok = 'true'; key = 'conn.online'; }
  else if (local === 'failed') { ok = 'false'; key = 'conn.failed'; }
  else { ok = 'wait'; key = 'conn.connecting'; }
  rtc.dataset.ok = ok;
  rtc.textContent = `${t('conn.rtc')} ${t(key)}`;
  rtc.title = `${t('conn.rtc_local')}: ${local}`;
}

function renderOffer() {
  const o = S.offer;
  $('#offer-panel').hidden = !o;
  $('#call-idle').hidden = !!(o || S.call || curState() === 'wrap_up');
  if (!o) return;
  $('#offer-caller').textContent = o.caller || t('call.unknown_caller');
  $('#offer-queue').textContent = o.queue_title || o.queue || '';
  $('#offer-ivr').textContent = ivrText(o.attrs);
  const transferred = !!o.transferred_by;
  for (const n of $$('.transfer-row')) n.hidden = !transferred;
  for (const n of $$('.note-row')) n.hidden = !o.note;
  $('#offer-transfer').textContent = o.transferred_by || '';
  $('#offer-note').textContent = o.note || '';
  $('#answer').disabled = S.answering;
  $('#reject').disabled = S.answering;
}

function ivrText(attrs) {
  if (!attrs) return '–';
  const parts = [];
  if (attrs.menu) parts.push(t('call.ivr_menu', { d: attrs.menu }));
  if (attrs.lang) parts.push(LANG_KEY[attrs.lang] ? t(LANG_KEY[attrs.lang]) : attrs.lang);
  for (const [k, v] of Object.entries(attrs)) if (k !== 'menu' && k !== 'lang') parts.push(`${k}=${v}`);
  return parts.join(' · ') || '–';
}

function queueTitle(name) {
  return S.queues.find((q) => q.name === name)?.title || name || '';
}

function renderCall() {
  const c = S.call;
  $('#call-panel').hidden = !c;
  if (!c) return;
  $('#call-caller').textContent = c.caller || t('call.unknown_caller');
  $('#call-queue').textContent = queueTitle(c.queue);
  $('#call-ivr').textContent = ivrText(c.attrs);
  $('#call-id').textContent = c.call;
  $('#flag-held').hidden = !c.held;
  $('#flag-muted').hidden = !c.muted;
  $('#flag-warm').hidden = !c.warm;
  const whisper = $('#flag-whisper');
  whisper.hidden = !c.whisper;
  whisper.textContent = c.whisper ? t('call.flag_whisper', { name: c.whisper }) : '';
  $('#transfer-withdraw').hidden = !c.warm;
  $('#transfer').disabled = !!c.warm; // one transfer at a time: withdraw it first
  const mute = $('#mute');
  mute.setAttribute('aria-pressed', String(!!c.muted));
  mute.querySelector('span').textContent = t(c.muted ? 'call.unmute' : 'call.mute');
  const hold = $('#hold');
  hold.setAttribute('aria-pressed', String(!!c.held));
  hold.querySelector('span').textContent = t(c.held ? 'call.unhold' : 'call.hold');
}

function renderWrapup() {
  const wrap = curState() === 'wrap_up';
  $('#wrapup-panel').hidden = !wrap;
  if (!wrap) return;
  const by = S.ended?.by;
  $('#wrapup-ended').textContent = by ? t(ENDED_KEY[by] ?? 'ended.other') : '';
  $('#wrapup-warning').hidden = !S.wrapConfirm;
}

function renderQueues() {
  const sel = $('#transfer-queue');
  const cur = sel.value;
  sel.replaceChildren(...S.queues.map((q) => el('option', { value: q.name }, q.title || q.name)));
  if (cur) sel.value = cur;
}

function tick() {
  const st = curState();
  $('#state-timer').textContent = S.agent?.since ? fmtDuration(since(S.agent.since)) : '0:00';
  if (S.offer) {
    const el2 = performance.now() - S.offer.at;
    $('#offer-waited').textContent = fmtDuration((S.offer.waited_ms || 0) + el2);
    const total = S.offer.ring_timeout_ms || 15000;
    const left = Math.max(0, total - el2);
    $('#offer-countdown').textContent = String(Math.ceil(left / 1000));
    $('#offer-bar').style.width = `${(100 * left) / total}%`;
    document.title = Math.floor(el2 / 800) % 2 ? t('offer.title_flash', { caller: S.offer.caller || '' }) : t('desk.title');
  } else if (document.title !== t('desk.title')) {
    document.title = t('desk.title');
  }
  if (S.call) $('#call-timer').textContent = fmtDuration(since(S.call.since));
  if (st === 'wrap_up') {
    const u = S.agent?.wrapup_until || S.ended?.wrapup_until;
    $('#wrapup-countdown').textContent = u ? fmtDuration(until(u) + 999) : '–';
  }
  if (S.wsStatus?.status === 'retrying') renderConn();
}

function showBanner(key, actionKey, action, { detail = '', bad = true } = {}) {
  const b = $('#banner');
  b.classList.toggle('bad', bad);
  $('#banner-text').textContent = t(key) + (detail ? ` (${detail})` : '');
  const btn = $('#banner-action');
  btn.hidden = !actionKey;
  if (actionKey) {
    btn.textContent = t(actionKey);
    btn.onclick = action; // one handler at a time
  }
  b.hidden = false;
}

function hideBanner() { $('#banner').hidden = true; }

// ---------------------------------------------------------------- call control

function bindCallControls() {
  $('#state-ready').addEventListener('click', () => setState('ready'));
  $('#state-notready').addEventListener('click', () => setState('not_ready', $('#notready-reason').value));
  $('#notready-reason').addEventListener('change', renderState);
  $('#answer').addEventListener('click', answer);
  $('#reject').addEventListener('click', reject);
  $('#mute').addEventListener('click', toggleMute);
  $('#hold').addEventListener('click', toggleHold);
  $('#hangup').addEventListener('click', hangup);
  $('#keypad').addEventListener('click', () => togglePanel('keypad'));
  $('#transfer').addEventListener('click', () => togglePanel('transfer'));
  $('#transfer-cancel').addEventListener('click', () => togglePanel('transfer', false));
  $('#transfer-panel').addEventListener('submit', onTransfer);
  const withdraw = el('button', { id: 'transfer-withdraw', class: 'btn small', type: 'button', 'data-i18n': 'transfer.withdraw', hidden: true }, t('transfer.withdraw'));
  $('#flag-warm').after(withdraw);
  $('#flag-muted').after(el('span', { id: 'flag-whisper', class: 'flag', role: 'status', hidden: true }));
  withdraw.addEventListener('click', withdrawTransfer);
  for (const r of $$('input[name="transfer-target"]')) {
    r.addEventListener('change', () => {
      const agent = $('#transfer-to-agent').checked;
      $('#transfer-queue').hidden = agent;
      $('#transfer-agent').hidden = !agent;
    });
  }
  for (const k of $$('#keypad-panel [data-digit]')) k.addEventListener('click', () => sendDigits(k.dataset.digit));
  $('#wrapup-done').addEventListener('click', wrapupDone);
  $('#mic-select').addEventListener('change', onMicChange);
  $('#speaker-select').addEventListener('change', onSpeakerChange);
}

async function cmd(msg, errorKey) {
  try {
    return await sock.send(msg);
  } catch (err) {
    const text = err.code === 'offline' ? t('err.ws_offline') : err.code === 'timeout' ? t('err.timeout') : err.message;
    toast(`${t(errorKey)}: ${text}`, { bad: true });
    throw err;
  }
}

async function setState(state, reason) {
  const msg = { type: 'set_state', state };
  if (reason) msg.reason = reason;
  try { await cmd(msg, 'err.set_state'); } catch { /* shown */ }
}

async function answer() {
  const o = S.offer;
  if (!o || S.answering) return;
  S.answering = true;
  S.micOpen = true;
  ringer.stop();
  renderOffer();
  try {
    // The microphone first (a replaceTrack, a few ms): the server bridges
    // as soon as it takes the answer, and the first words must not be lost.
    await syncMic();
    await cmd({ type: 'answer', call: o.call }, 'err.answer');
  } catch {
    if (S.offer === o) stopOffer();
    S.micOpen = false;
    syncMic();
    renderAll();
  }
}

async function reject() {
  const o = S.offer;
  if (!o || S.answering) return;
  S.answering = true;
  ringer.stop();
  try { await cmd({ type: 'reject', call: o.call }, 'err.reject'); } catch { /* shown */ }
  if (S.offer === o) stopOffer();
  renderAll();
}

async function toggleMute() {
  const c = S.call;
  if (!c) return;
  const on = !c.muted;
  leg?.setMicEnabled(!on); // the browser stops sending at once
  c.muted = on;
  renderCall();
  try {
    await cmd({ type: 'mute', call: c.call, on }, 'err.mute');
  } catch {
    if (S.call === c) { c.muted = !on; leg?.setMicEnabled(on); renderCall(); }
  }
}

async function toggleHold() {
  const c = S.call;
  if (!c) return;
  const on = !c.held;
  if (!on) {
    S.unholding = true;
    await syncMic(); // before the server forwards again
  }
  try {
    await cmd({ type: 'hold', call: c.call, on }, 'err.hold');
    if (S.call === c) { c.held = on; renderCall(); }
  } catch { /* shown */ }
  S.unholding = false;
  syncMic();
}

async function hangup() {
  const c = S.call;
  if (!c) return;
  try { await cmd({ type: 'hangup', call: c.call }, 'err.hangup'); } catch { /* shown */ }
}

function togglePanel(which, force) {
  const panel = $(`#${which}-panel`);
  const btn = $(`#${which}`);
  if (!S.call) force = false;
  const open = force ?? panel.hidden;
  closePanels();
  panel.hidden = !open;
  btn.setAttribute('aria-expanded', String(open));
  if (open) (which === 'keypad' ? panel.querySelector('[data-digit="1"]') : $('#transfer-queue').hidden ? $('#transfer-agent') : $('#transfer-queue')).focus();
}

function closePanels() {
  for (const w of ['keypad', 'transfer']) {
    $(`#${w}-panel`).hidden = true;
    $(`#${w}`).setAttribute('aria-expanded', 'false');
  }
}

async function sendDigits(digits) {
  const c = S.call;
  if (!c || !/^[0-9*#]+$/.test(digits)) return;
  const sent = $('#keypad-sent');
  sent.textContent = (sent.textContent + digits).slice(-24);
  try { await cmd({ type: 'dtmf', call: c.call, digits }, 'err.dtmf'); } catch { /* shown */ }
}

async function onTransfer(ev) {
  ev.preventDefault();
  const c = S.call;
  if (!c) return;
  const msg = { type: 'transfer', call: c.call, mode: $('#transfer-mode-warm').checked ? 'warm' : 'blind' };
  if ($('#transfer-to-agent').checked) {
    const a = $('#transfer-agent').value.trim();
    if (!a) { $('#transfer-agent').focus(); return; }
    msg.agent = a;
  } else {
    if (!$('#transfer-queue').value) return;
    msg.queue = $('#transfer-queue').value;
  }
  const note = $('#transfer-note').value.trim();
  if (note) msg.note = note;
  try {
    await cmd(msg, 'err.transfer');
    togglePanel('transfer', false);
    if (msg.mode === 'warm' && S.call === c) { c.warm = true; renderCall(); }
    toast(t(msg.mode === 'warm' ? 'transfer.warm_started' : 'transfer.done'));
  } catch { /* shown */ }
}

async function withdrawTransfer() {
  const c = S.call;
  if (!c?.warm) return;
  try { await cmd({ type: 'transfer', call: c.call, mode: 'cancel' }, 'err.transfer_cancel'); } catch { /* shown */ }
}

async function wrapupDone() {
  if (curState() !== 'wrap_up') return;
  if (formDirty() && formCtx?.call && formCtx.call === S.ended?.call && !S.wrapConfirm) {
    S.wrapConfirm = true;
    renderWrapup();
    return;
  }
  saveDraft.flush();
  try {
    await cmd({ type: 'wrapup_done' }, 'err.wrapup');
    S.wrapConfirm = false;
  } catch { /* shown */ }
}

// ---------------------------------------------------------------- devices

async function listDevices() {
  try {
    const devs = await navigator.mediaDevices.enumerateDevices();
    const fill = (sel, kind, saved) => {
      const opts = devs.filter((d) => d.kind === kind).map((d, i) => el('option', { value: d.deviceId }, d.label || `${kind} ${i + 1}`));
      sel.replaceChildren(...opts);
      if (saved && opts.some((o) => o.value === saved)) sel.value = saved;
    };
    const micId = S.mic?.getAudioTracks()[0]?.getSettings().deviceId;
    fill($('#mic-select'), 'audioinput', micId);
    fill($('#speaker-select'), 'audiooutput', localStorage.getItem('hotline.speaker'));
  } catch { /* no device list */ }
}

async function onMicChange() {
  const id = $('#mic-select').value;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: id }, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const old = S.mic;
    S.mic = stream;
    await leg?.replaceTrack(stream);
    leg?.setMicEnabled(!S.call?.muted);
    for (const tr of old?.getTracks() ?? []) tr.stop();
    localStorage.setItem('hotline.mic', id);
  } catch (err) {
    toast(`${t('devices.failed')}: ${err.name || err}`, { bad: true });
  }
}

async function onSpeakerChange() {
  const id = $('#speaker-select').value;
  try {
    await audio().setSinkId(id);
    localStorage.setItem('hotline.speaker', id);
  } catch (err) {
    toast(`${t('devices.failed')}: ${err.name || err}`, { bad: true });
  }
}

// ---------------------------------------------------------------- keyboard

function onKey(ev) {
  if ($('#desk-view').hidden) return;
  const k = ev.key;
  const mods = ev.ctrlKey || ev.metaKey || ev.altKey || ev.shiftKey;
  const alt = ev.altKey && !ev.ctrlKey && !ev.metaKey;
  const code = ev.code;
  let done = true;
  if (k === 'F2' && !mods) {
    if (S.offer) answer();
    else if (curState() === 'wrap_up') wrapupDone();
  } else if (k === 'F4' && !mods) {
    if (S.offer) reject();
  } else if (k === 'Enter' && !mods && S.offer && !typing(ev.target) && !['BUTTON', 'A', 'SUMMARY'].includes(ev.target.tagName)) {
    answer();
  } else if (k === 'F8' && !mods) {
    toggleMute();
  } else if (k === 'F9' && !mods) {
    toggleHold();
  } else if (alt && code === 'KeyK') {
    togglePanel('keypad');
  } else if (alt && code === 'KeyT') {
    if (!S.call?.warm) togglePanel('transfer');
  } else if (alt && code === 'KeyQ') {
    hangup();
  } else if (alt && code === 'KeyR') {
    if (!$('#state-ready').disabled) setState('ready');
  } else if (k === 'Enter' && (ev.ctrlKey || ev.metaKey) && ev.target.closest?.('#wo-form')) {
    submitTicket(triageValue());
  } else if (k === '/' && !mods && !typing(ev.target)) {
    $('#kb-q').focus();
    $('#kb-q').select();
  } else if (k === 'Escape' && (!$('#keypad-panel').hidden || !$('#transfer-panel').hidden)) {
    closePanels();
  } else if (/^[0-9*#]$/.test(k) && !$('#keypad-panel').hidden && !typing(ev.target) && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
    sendDigits(k);
  } else {
    done = false;
  }
  if (done) ev.preventDefault();
}

// ---------------------------------------------------------------- reference data

const ref = { categories: [], byId: new Map(), leaves: [], units: new Map() };

async function loadReference() {
  try {
    const r = await api.get('/api/v1/categories');
    ref.categories = (r.categories ?? []).filter((c) => !c.disabled);
    ref.byId = new Map(ref.categories.map((c) => [c.id, c]));
    const parents = new Set(ref.categories.map((c) => c.parent).filter(Boolean));
    ref.leaves = ref.categories.filter((c) => !parents.has(c.id));
    fillCategories();
    const d = readDraft(draftKey(formCtx));
    if (d?.fields?.category) $('#wo-category').value = d.fields.category;
  } catch (err) {
    toast(`${t('err.categories')}: ${api.errorText(err, t)}`, { bad: true });
  }
  try {
    const r = await api.get('/api/v1/units');
    ref.units = new Map((r.units ?? []).map((u) => [u.id, u.name]));
    renderSuggest();
  } catch { /* unit names are a nicety: ids are shown instead */ }
}

function categoryLabel(id) {
  const c = ref.byId.get(id);
  if (!c) return id || '';
  const p = ref.byId.get(c.parent);
  return p ? `${p.name} / ${c.name}` : c.name;
}

function fillCategories() {
  const sel = $('#wo-category');
  const cur = sel.value;
  const q = $('#wo-category-filter').value.trim().toLowerCase();
  const match = (c) => {
    if (!q) return true;
    const p = ref.byId.get(c.parent);
    return [c.id, c.name, p?.name ?? '', ...(c.keywords ?? [])].some((s) => s.toLowerCase().includes(q));
  };
  const groups = new Map();
  for (const c of ref.leaves) {
    if (!match(c) && c.id !== cur) continue;
    const g = c.parent || '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(c);
  }
  const nodes = [el('option', { value: '' }, t(q ? 'wo.category_matches' : 'wo.category_choose', { n: [...groups.values()].reduce((a, l) => a + l.length, 0) }))];
  for (const [g, list] of groups) {
    const opts = list.map((c) => el('option', { value: c.id }, `${c.name}（${c.id}）`));
    if (g) nodes.push(el('optgroup', { label: ref.byId.get(g)?.name ?? g }, opts));
    else nodes.push(...opts);
  }
  sel.replaceChildren(...nodes);
  sel.value = cur;
}

// ---------------------------------------------------------------- work-order form

// The form's fields: draft name → element id. The API's field names map to
// the same elements through FIELD_OF_API.
const FIELDS = {
  type: 'wo-type', urgency: 'wo-urgency', category: 'wo-category', address: 'wo-address',
  contact: 'wo-contact', name: 'wo-name', content: 'wo-content', confidential: 'wo-confidential',
  nocallback: 'wo-nocallback', triage: 'wo-triage', handoff: 'wo-handoff', nodispatch: 'wo-nodispatch',
  article: 'wo-article', note: 'wo-note',
};
const FIELD_OF_API = {
  type: 'wo-type', urgency: 'wo-urgency', category: 'wo-category', address: 'wo-address',
  lat: 'wo-address', lng: 'wo-address', contact_number: 'wo-contact', caller_number: 'wo-contact',
  citizen_name: 'wo-name', content: 'wo-content', title: 'wo-content', triage: 'wo-triage',
  handoff: 'wo-handoff', article: 'wo-article', unit: 'wo-category',
};
const DEFAULTS = { type: 'consult', urgency: '', triage: 'dispatch', handoff: '110', nodispatch: 'legal_channel' };

let formCtx = null; // the call the form belongs to: {call, caller, recording, queue} or null
let formReady = false; // false until the first restore: nothing to save before
let draftIdem = '';
let submitting = false;

const draftKey = (ctx) => `hotline.draft.${ctx?.call || 'nocall'}`;

function readDraft(key) {
  try { return JSON.parse(sessionStorage.getItem(key)); } catch { return null; }
}

function readFields() {
  const f = {};
  for (const [name, id] of Object.entries(FIELDS)) {
    const n = document.getElementById(id);
    f[name] = n.type === 'checkbox' ? n.checked : n.value;
  }
  return f;
}

function writeFields(f) {
  for (const [name, id] of Object.entries(FIELDS)) {
    const n = document.getElementById(id);
    const v = f[name] ?? (n.type === 'checkbox' ? false : DEFAULTS[name] ?? '');
    if (n.type === 'checkbox') n.checked = !!v;
    else n.value = v;
  }
  if (f.category && $('#wo-category').value !== f.category) {
    // The categories have not loaded yet: keep the value until they do.
    $('#wo-category').append(el('option', { value: f.category }, f.category));
    $('#wo-category').value = f.category;
  }
  syncTriage();
}

function formDirty(f = readFields()) {
  return !!(f.content.trim() || f.address.trim() || f.name.trim() || f.category || f.note.trim() || f.article.trim());
}

const saveDraft = debounce(() => {
  if (!formReady) return;
  const f = readFields();
  const key = draftKey(formCtx);
  if (!formDirty(f)) {
    sessionStorage.removeItem(key);
    $('#wo-saved').textContent = '';
    renderDrafts();
    return;
  }
  sessionStorage.setItem(key, JSON.stringify({ ctx: formCtx, fields: f, idem: draftIdem, saved: new Date().toISOString() }));
  $('#wo-saved').textContent = t('wo.saved');
  renderDrafts();
}, 300);

/** restoreFormForCall switches the form to a call (or to no call), restoring its draft. */
function restoreFormForCall(ctx) {
  saveDraft.flush();
  const d = readDraft(draftKey(ctx));
  if (ctx?.call) ctx = { ...readDraft(`hotline.callmeta.${ctx.call}`), ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v)) };
  // What was typed with no call (say, while the phone rang) moves to the call.
  const adopt = formReady && !formCtx && ctx?.call && !d?.fields && formDirty();
  formCtx = ctx ? { ...(d?.ctx ?? {}), ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v)) } : null;
  formReady = true;
  clearErrors('wo');
  if (adopt) {
    sessionStorage.removeItem(draftKey(null));
    if (!$('#wo-contact').value.trim()) $('#wo-contact').value = formCtx.caller ?? '';
    saveDraft.flush();
  } else if (d?.fields) {
    writeFields(d.fields);
    draftIdem = d.idem || crypto.randomUUID();
    $('#wo-saved').textContent = t('wo.restored');
  } else {
    writeFields({ contact: formCtx?.caller ?? '' });
    draftIdem = crypto.randomUUID();
    $('#wo-saved').textContent = '';
  }
  resetSuggest();
  renderFormMeta();
  renderDrafts();
  if (d?.fields) requestSuggest();
}

function renderResult() {
  const res = $('#wo-result');
  const r = S.result;
  res.hidden = !r;
  if (!r) return;
  res.replaceChildren(
    el('span', {}, t(TRIAGE_DONE_KEY[r.triage] ?? 'wo.done_dispatch')),
    el('span', { class: 'ticket-id', 'data-testid': 'ticket-id' }, r.id),
    el('span', {}, r.unit ? ` → ${unitName(r.unit)}` : ''),
  );
}

function renderFormMeta() {
  const c = formCtx;
  $('#wo-call').textContent = c?.call ? t('wo.for_call', { call: c.call, caller: c.caller || '–' }) : t('wo.no_call');
}

function renderDrafts() {
  const cur = draftKey(formCtx);
  const items = [];
  for (let i = 0; i < sessionStorage.length; i++) {
    const key = sessionStorage.key(i);
    if (!key.startsWith('hotline.draft.') || key === cur) continue;
    const d = readDraft(key);
    if (!d?.fields) continue;
    items.push({ key, d });
  }
  $('#drafts').hidden = items.length === 0;
  $('#drafts-list').replaceChildren(...items.map(({ key, d }) => {
    const open = el('button', { class: 'btn small', type: 'button' }, t('drafts.open'));
    open.addEventListener('click', () => restoreFormForCall(d.ctx ?? null));
    const drop = el('button', { class: 'btn small link', type: 'button' }, t('drafts.discard'));
    drop.addEventListener('click', () => { sessionStorage.removeItem(key); renderDrafts(); });
    const what = `${fmtDateTime(d.saved)} · ${d.ctx?.caller || t('wo.no_call')} · ${(d.fields.content || '').slice(0, 40)}`;
    return el('li', { dataset: { draft: key } }, el('span', { class: 'what' }, what), open, drop);
  }));
}

function bindForm() {
  const form = $('#wo-form');
  form.addEventListener('input', (ev) => {
    if (ev.target.id === 'wo-category-filter') return;
    clearField(ev.target.id);
    saveDraft();
  });
  form.addEventListener('change', (ev) => {
    if (ev.target.id === 'wo-category-filter') return;
    clearField(ev.target.id);
    saveDraft();
    if (ev.target.id === 'wo-category' || ev.target.id === 'wo-address') requestSuggest();
    if (ev.target.id === 'wo-triage') syncTriage();
  });
  // No implicit submission: Enter in a field must never file a work order
  // (the submit button is type=button; Ctrl+Enter files on purpose).
  form.addEventListener('submit', (ev) => ev.preventDefault());
  $('#wo-submit').addEventListener('click', () => submitTicket(triageValue()));
  $('#wo-address').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();
      resolveArea();
    }
  });
  $('#wo-answered').addEventListener('click', () => submitTicket('answered'));
  $('#wo-clear').addEventListener('click', () => {
    writeFields({ contact: formCtx?.caller ?? '' });
    clearErrors('wo');
    resetSuggest();
    saveDraft.flush();
  });
  $('#wo-resolve').addEventListener('click', resolveArea);
  const filter = $('#wo-category-filter');
  filter.addEventListener('input', fillCategories);
  filter.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const first = $('#wo-category').querySelector('option[value]:not([value=""])');
      if (first) {
        $('#wo-category').value = first.value;
        clearField('wo-category');
        saveDraft();
        requestSuggest();
        $('#wo-address').focus();
      }
    } else if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      $('#wo-category').focus();
    }
  });
}

/** pickCategory selects a suggested category as if the agent had chosen it. */
function pickCategory(id) {
  if ($('#wo-category-filter').value) {
    $('#wo-category-filter').value = '';
    fillCategories();
  }
  $('#wo-category').value = id;
  clearField('wo-category');
  saveDraft();
  requestSuggest();
}

function triageValue() { return $('#wo-triage').value || 'dispatch'; }

function syncTriage() {
  const tr = triageValue();
  $('#wo-handoff').closest('.field').hidden = tr !== 'emergency';
  $('#wo-nodispatch').closest('.field').hidden = tr !== 'no_dispatch';
}

function buildBody(f, triage) {
  const ctx = formCtx;
  const body = {
    channel: 'phone',
    type: f.type,
    content: f.content.trim(),
    contact_number: f.contact.trim(),
    triage,
  };
  const opt = {
    caller_number: ctx?.caller, citizen_name: f.name.trim(), category: f.category,
    address: f.address.trim(), urgency: f.urgency, call_id: ctx?.call, recording_id: ctx?.recording,
  };
  for (const [k, v] of Object.entries(opt)) if (v) body[k] = v;
  if (f.confidential) body.confidential = true;
  if (f.nocallback) body.no_callback = true;
  if (triage === 'answered') {
    if (f.article.trim()) body.article = f.article.trim();
    if (f.note.trim()) body.reason = f.note.trim();
  } else if (triage === 'emergency') {
    body.handoff = f.handoff;
  } else if (triage === 'no_dispatch') {
    body.reason = f.nodispatch;
  }
  return body;
}

async function submitTicket(triage) {
  if (submitting) return;
  clearErrors('wo');
  const f = readFields();
  const body = buildBody(f, triage);
  const ctx = formCtx;
  submitting = true;
  setSubmitting(true);
  try {
    const tk = await api.post('/api/v1/tickets', body, { headers: { 'Idempotency-Key': draftIdem } });
    await ticketFiled(tk, ctx, triage);
  } catch (err) {
    showErrors(err, triage);
  } finally {
    submitting = false;
    setSubmitting(false);
  }
}

function setSubmitting(on) {
  for (const id of ['wo-submit', 'wo-answered']) $(`#${id}`).disabled = on;
  $('#wo-form').setAttribute('aria-busy', String(on));
}

async function ticketFiled(tk, ctx, triage) {
  S.lastTicket = tk.id;
  sessionStorage.removeItem(draftKey(ctx));
  const disposition = triage === 'answered' ? 'answered' : 'ticket';
  S.result = { id: tk.id, triage, unit: tk.unit || '' };
  renderResult();
  // A fresh form for a second matter on the same call.
  if (formCtx === ctx) {
    writeFields({ contact: ctx?.caller ?? '' });
    draftIdem = crypto.randomUUID();
    resetSuggest();
    $('#wo-saved').textContent = '';
  }
  renderDrafts();
  if (ctx?.call) await link({ call: ctx.call, ticket: tk.id, disposition });
  S.wrapConfirm = false;
  renderWrapup();
}

// link tells the server which work order a call produced; if the socket is
// down the link waits in sessionStorage and is sent after the next welcome.
const LINKS = 'hotline.pendingLinks';

async function link(l) {
  try {
    await sock.send({ type: 'link', ...l });
  } catch (err) {
    if (err.code === 'offline' || err.code === 'timeout') {
      const list = JSON.parse(sessionStorage.getItem(LINKS) || '[]');
      list.push(l);
      sessionStorage.setItem(LINKS, JSON.stringify(list));
    } else {
      toast(`${t('err.link')}: ${err.message}`, { bad: true });
    }
  }
}

function flushLinks() {
  const list = JSON.parse(sessionStorage.getItem(LINKS) || '[]');
  if (!list.length) return;
  sessionStorage.removeItem(LINKS);
  for (const l of list) link(l);
}

function fieldInput(apiField, triage) {
  if (apiField === 'reason') return triage === 'answered' ? 'wo-note' : 'wo-nodispatch';
  return FIELD_OF_API[apiField];
}

function showErrors(err, triage) {
  const box = $('#wo-error');
  const fields = err instanceof api.ApiError ? err.fields : {};
  const loose = [];
  let first = null;
  for (const [name, problem] of Object.entries(fields)) {
    const id = fieldInput(name, triage);
    const node = id && document.getElementById(id);
    if (!node || node.closest('[hidden]')) { loose.push(`${name}: ${problem}`); continue; }
    const msg = document.getElementById(`${id}-error`);
    const prev = msg.hidden ? '' : `${msg.textContent}; `;
    msg.textContent = prev + problem;
    msg.hidden = false;
    node.setAttribute('aria-invalid', 'true');
    first ??= node;
  }
  let text = api.errorText(err, t);
  if (Object.keys(fields).length) text = t(first ? 'wo.fix_fields' : 'wo.fix_these');
  if (err instanceof api.ApiError && err.status === 409) text = `${t('wo.conflict')} ${err.message}`;
  box.replaceChildren(el('strong', {}, t('wo.not_filed')), ' ', text, ...loose.map((l) => el('div', {}, l)));
  box.hidden = false;
  (first ?? box).focus?.();
  if (!first) box.scrollIntoView({ block: 'nearest' });
}


// ---- area and suggested unit

let suggestion = null; // {category, address, data} | {error}
let area = null;
let suggestAbort = null;

function resetSuggest() {
  clearClassify();
  suggestion = null;
  area = null;
  suggestAbort?.abort();
  renderSuggest();
}

async function resolveArea() {
  const address = $('#wo-address').value.trim();
  if (!address) { $('#wo-address').focus(); return; }
  area = { loading: true };
  renderSuggest();
  try {
    const a = await api.get('/api/v1/areas/resolve', { address });
    area = { data: a };
  } catch (err) {
    area = { error: api.errorText(err, t) };
  }
  renderSuggest();
  requestSuggest.flush();
}

const requestSuggest = debounce(async () => {
  const category = $('#wo-category').value;
  const address = $('#wo-address').value.trim();
  if (!category) { suggestion = null; renderSuggest(); return; }
  suggestAbort?.abort();
  const ctl = new AbortController();
  suggestAbort = ctl;
  try {
    const s = await api.get('/api/v1/suggest', { category, address }, { signal: ctl.signal });
    if (ctl.signal.aborted || !s) return; // the form was reset meanwhile
    suggestion = { category, address, data: s };
  } catch (err) {
    if (ctl.signal.aborted) return;
    suggestion = { category, address, error: api.errorText(err, t) };
  }
  renderSuggest();
}, 350);

const unitName = (id) => (id ? ref.units.get(id) ?? id : '');

function renderSuggest() {
  const a = $('#wo-area');
  if (!area) a.textContent = '';
  else if (area.loading) a.textContent = t('wo.resolving');
  else if (area.error) a.textContent = `${t('wo.area_failed')}: ${area.error}`;
  else if (!area.data.method) a.textContent = t('wo.area_none');
  else {
    const where = [unitName(area.data.district), unitName(area.data.street)].filter(Boolean).join(' / ');
    a.textContent = t('wo.area_found', { where, how: t(area.data.method === 'position' ? 'wo.by_position' : 'wo.by_address') });
  }
  const box = $('#wo-suggest');
  if (!suggestion) { box.hidden = true; return; }
  box.hidden = false;
  if (suggestion.error) {
    box.replaceChildren(`${t('wo.suggest_failed')}: ${suggestion.error}`);
    return;
  }
  const s = suggestion.data;
  const parts = [el('span', {}, `${t('wo.suggested_unit')}：`), el('strong', { id: 'wo-suggest-unit' }, s.unit ? unitName(s.unit) : t('wo.suggest_none'))];
  if (s.copy_unit) parts.push(el('span', {}, ` · ${t('wo.copy_unit')} ${unitName(s.copy_unit)}`));
  if (s.urgency) parts.push(el('span', {}, ` · ${t(URGENCY_KEY[s.urgency] ?? 'urgency.default')}`));
  if (s.reason) parts.push(el('div', { class: 'muted small-text' }, s.reason));
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------- screen-pop

const pop = { phone: '', loading: false, error: '', tickets: [], abort: null };

async function screenPop(phone) {
  if (!phone) return;
  pop.abort?.abort();
  const ctl = new AbortController();
  Object.assign(pop, { phone, loading: true, error: '', abort: ctl });
  if (pop.shown !== phone) pop.tickets = [];
  renderHistory();
  try {
    const r = await api.get('/api/v1/tickets', { phone, limit: 20 }, { signal: ctl.signal });
    pop.tickets = r.tickets ?? [];
    pop.shown = phone;
  } catch (err) {
    if (ctl.signal.aborted) return;
    pop.error = api.errorText(err, t);
  }
  pop.loading = false;
  renderHistory();
}

function renderHistory() {
  $('#history-phone').textContent = pop.phone;
  const status = $('#history-status');
  if (!pop.phone) status.textContent = t('history.none_yet');
  else if (pop.loading) status.textContent = t('history.loading');
  else if (pop.error) status.textContent = `${t('history.failed')}: ${pop.error}`;
  else status.textContent = pop.tickets.length ? t('history.count', { n: pop.tickets.length }) : t('history.empty');
  const open = new Set($$('#history-list details[open]').map((d) => d.closest('li').dataset.ticket));
  $('#history-list').replaceChildren(...pop.tickets.map((tk) => {
    const st = word(TSTATE_KEY, tk.state);
    const cls = ['closed', 'archived', 'replied'].includes(tk.state) ? 'tstate done' : 'tstate open';
    const meta = [fmtDateTime(tk.created), categoryLabel(tk.category), word(TYPE_KEY, tk.type)].filter(Boolean).join(' · ');
    const body = el('div', { class: 'body' },
      tk.title ? el('strong', {}, tk.title) : null,
      el('p', {}, tk.content || ''),
      tk.address ? el('div', {}, `${t('wo.address')}：${tk.address}`) : null,
      tk.unit ? el('div', {}, `${t('history.unit')}：${unitName(tk.unit)}`) : null,
      tk.reply_content ? el('div', {}, `${t('history.reply')}：${tk.reply_content}`) : null,
    );
    const det = el('details', { open: open.has(tk.id) },
      el('summary', {}, el('span', { class: 'tid' }, tk.id), el('span', { class: cls }, st), el('span', { class: 'meta' }, meta)),
      body);
    return el('li', { dataset: { ticket: tk.id } }, det);
  }));
}

// ---------------------------------------------------------------- knowledge base

const kb = { q: '', loading: false, error: '', results: null, article: null };

function bindKB() {
  $('#kb-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = $('#kb-q').value.trim();
    if (!q) return;
    Object.assign(kb, { q, loading: true, error: '', article: null });
    renderKB();
    try {
      const r = await api.get('/api/v1/kb', { q, limit: 10 });
      kb.results = r.articles ?? [];
    } catch (err) {
      kb.error = api.errorText(err, t);
      kb.results = [];
    }
    kb.loading = false;
    renderKB();
  });
  $('#kb-back').addEventListener('click', () => {
    kb.article = null;
    renderKB();
    $('#kb-results button')?.focus();
  });
  $('#kb-use').addEventListener('click', () => {
    if (!kb.article) return;
    $('#wo-article').value = kb.article.id;
    clearField('wo-article');
    saveDraft();
    $('#wo-note').focus();
    toast(t('kb.used', { title: kb.article.title }));
  });
}

function renderKB() {
  const status = $('#kb-status');
  if (kb.loading) status.textContent = t('kb.loading');
  else if (kb.error) status.textContent = `${t('kb.failed')}: ${kb.error}`;
  else if (kb.results) status.textContent = kb.results.length ? t('kb.count', { n: kb.results.length }) : t('kb.empty');
  else status.textContent = '';
  const showArticle = !!kb.article;
  $('#kb-article').hidden = !showArticle;
  $('#kb-results').hidden = showArticle;
  $('#kb-results').replaceChildren(...(kb.results ?? []).map((a) => {
    const b = el('button', { type: 'button', dataset: { article: a.id } },
      el('span', { class: 'title' }, a.title), el('span', { class: 'snippet' }, (a.body || '').slice(0, 120)));
    b.addEventListener('click', () => {
      kb.article = a;
      renderKB();
      $('#kb-back').focus();
    });
    return el('li', {}, b);
  }));
  if (showArticle) {
    const a = kb.article;
    $('#kb-article-title').textContent = a.title;
    const valid = [a.valid_from && t('kb.valid_from', { d: fmtDateTime(a.valid_from) }), a.valid_to && t('kb.valid_to', { d: fmtDateTime(a.valid_to) })].filter(Boolean);
    $('#kb-article-meta').textContent = [a.id, categoryLabel(a.category), ...valid].filter(Boolean).join(' · ');
    $('#kb-article-body').textContent = a.body || '';
  }
}

// ---------------------------------------------------------------- boot
// (last, so that every module-level binding above is initialised)

window.addEventListener('langchange', renderAll);
document.addEventListener('keydown', onKey);
document.addEventListener('pointerdown', () => ringer.unlock(), { capture: true });
document.addEventListener('keydown', () => ringer.unlock(), { capture: true });
window.addEventListener('beforeunload', () => saveDraft.flush());

bindCallControls();
bindForm();
initClassify({ pick: pickCategory });
bindKB();
setInterval(tick, 250);

window.hotlineDesk = Object.freeze({
  state: () => S.agent?.state ?? 'offline',
  call: () => {
    if (S.call) return { id: S.call.call, caller: S.call.caller, phase: 'connected', held: !!S.call.held, muted: !!S.call.muted };
    if (S.offer) return { id: S.offer.call, caller: S.offer.caller, phase: 'offered' };
    if (S.ended && S.agent?.state === 'wrap_up') return { id: S.ended.call, phase: 'ended', by: S.ended.by };
    return null;
  },
  rtcConnected: () => S.rtcServer,
  lastTicket: () => S.lastTicket,
  micOnWire: () => leg?.micOnWire ?? false,
  packetsSent: () => leg?.packetsSent() ?? Promise.resolve(0),
});

const page = gate({
  roles: ['agent'], title: 'desk.name', view: 'desk-view', who: 'agent-name', denied: 'login.not_agent',
  onStart: startDesk, onStop: stopDesk, beforeSignOut: leaving,
});
