// Shared pieces of the work-order pages — the dispatch console (/dispatch/)
// and the unit portal (/unit/): sign-in for given roles, the reference data
// (unit and category names), the words for states, lights and history
// actions, the API's field errors shown next to their inputs, and the
// live-events WebSocket (GET /api/v1/events/ws, docs/api.md "Live events"),
// which speaks the desk socket's auth/welcome/error frames, so ws.js's
// DeskSocket carries it.

import { $, $$, el, clock, fmtDateTime } from './util.js';
import { t, apply as applyI18n, bindToggles } from './i18n.js';
import * as api from './api.js';
import { DeskSocket } from './ws.js';

// ---------------------------------------------------------------- words

export const TSTATE_KEY = {
  pending_dispatch: 'tstate.pending_dispatch', dispatched: 'tstate.dispatched',
  returned: 'tstate.returned', in_progress: 'tstate.in_progress', replied: 'tstate.replied',
  closed: 'tstate.closed', archived: 'tstate.archived',
};
export const TYPE_KEY = {
  consult: 'type.consult', help: 'type.help', complaint: 'type.complaint',
  report: 'type.report', suggestion: 'type.suggestion', praise: 'type.praise',
};
export const URGENCY_KEY = {
  emergency: 'urgency.emergency', utility: 'urgency.utility',
  ordinary: 'urgency.ordinary', complex: 'urgency.complex',
};
export const LIGHT_KEY = { green: 'unit.light_green', yellow: 'unit.light_yellow', red: 'unit.light_red' };
export const CLOCK_KEY = { accept: 'unit.clock_accept', contact: 'unit.clock_contact', reply: 'unit.clock_reply' };
export const OUTCOME_KEY = {
  resolved: 'unit.outcome_resolved', explained: 'unit.outcome_explained', unresolved: 'unit.outcome_unresolved',
};
const ACTION_KEY = {
  intake: 'unit.act_intake', dispatch: 'unit.act_dispatch', accept: 'unit.act_accept',
  contact: 'unit.act_contact', note: 'unit.act_note', reply: 'unit.act_reply', return: 'unit.act_return',
  approve_return: 'unit.act_approve_return', reject_return: 'unit.act_reject_return',
  extend: 'unit.act_extend', approve_extension: 'unit.act_approve_extension',
  deny_extension: 'unit.act_deny_extension', supervise: 'unit.act_supervise', urge: 'unit.act_urge',
  merge: 'unit.act_merge', merged_from: 'unit.act_merged_from', reopen: 'unit.act_reopen',
  close: 'unit.act_close', archive: 'unit.act_archive', pause: 'unit.act_pause',
  resume: 'unit.act_resume', sla: 'unit.act_sla',
};
const ROLE_KEY = {
  admin: 'unit.role_admin', agent: 'unit.role_agent', dispatcher: 'unit.role_dispatcher',
  supervisor: 'unit.role_supervisor', unit: 'unit.role_unit', analyst: 'unit.role_analyst',
};
const TIER_KEY = {
  district: 'unit.tier_district', street: 'unit.tier_street', district_dept: 'unit.tier_district_dept',
  city_dept: 'unit.tier_city_dept', enterprise: 'unit.tier_enterprise', centre: 'unit.tier_centre',
};
const WS_KEY = {
  connecting: 'conn.connecting', online: 'conn.online', retrying: 'conn.retrying',
  unauthorized: 'conn.unauthorized', replaced: 'conn.replaced', stopped: 'conn.stopped',
};

export const word = (table, v) => (table[v] ? t(table[v]) : (v ?? ''));
export const tierWord = (tier) => word(TIER_KEY, tier);

// ---------------------------------------------------------------- reference data

/** Unit and category names, loaded once after sign-in. */
export const ref = { units: new Map(), categories: new Map(), loaded: false };

/** loadReference fetches the units and categories (names are a nicety: ids are shown until then). */
export async function loadReference() {
  const [u, c] = await Promise.allSettled([api.get('/api/v1/units'), api.get('/api/v1/categories')]);
  if (u.status === 'fulfilled') ref.units = new Map((u.value.units ?? []).map((x) => [x.id, x]));
  if (c.status === 'fulfilled') ref.categories = new Map((c.value.categories ?? []).map((x) => [x.id, x]));
  ref.loaded = true;
  const failed = [u, c].find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** unitName is a unit's name, or its id while unknown. */
export function unitName(id) { return ref.units.get(id)?.name ?? id ?? ''; }

/** categoryName is "group / leaf". */
export function categoryName(id) {
  const c = ref.categories.get(id);
  if (!c) return id ?? '';
  const p = ref.categories.get(c.parent);
  return p ? `${p.name} / ${c.name}` : c.name;
}

/** leafCategories lists the enabled categories that take requests, grouped by parent. */
export function leafCategories() {
  const all = [...ref.categories.values()].filter((c) => !c.disabled);
  const parents = new Set(all.map((c) => c.parent).filter(Boolean));
  return all.filter((c) => !parents.has(c.id));
}

// ---------------------------------------------------------------- badges and times

/** stateBadge is the ticket state as a word on its colour. */
export function stateBadge(state, id) {
  return el('span', { class: 'tstate-badge', id, dataset: { tstate: state } }, word(TSTATE_KEY, state));
}

/** lightBadge is a traffic light with its word and shape (never colour alone). */
export function lightBadge(light, id) {
  if (!light) return null;
  return el('span', { class: 'light', id, dataset: { light } }, word(LIGHT_KEY, light));
}

/** fmtSpan shows ms as "2天3小时", "3小时20分" or "12分". */
export function fmtSpan(ms) {
  const m = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return t('unit.span_dh', { d, h });
  if (h > 0) return t('unit.span_hm', { h, m: m % 60 });
  return t('unit.span_m', { m });
}

/** dueText says how long until (or since) a deadline. */
export function dueText(iso) {
  const due = Date.parse(iso);
  if (Number.isNaN(due)) return '';
  const left = due - clock.now();
  return left >= 0 ? t('unit.due_in', { span: fmtSpan(left) }) : t('unit.due_over', { span: fmtSpan(-left) });
}

/** ageText says how long ago something happened. */
export function ageText(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : t('unit.ago', { span: fmtSpan(clock.now() - at) });
}

/** beijingMonth is "YYYY-MM" of a time (ms), Beijing time. */
export function beijingMonth(ms = clock.now()) {
  return fmtDateTime(new Date(ms).toISOString()).slice(0, 7);
}

// ---------------------------------------------------------------- history

/** historyItems renders a ticket's history, oldest first. */
export function historyItems(events) {
  return (events ?? []).map((e) => {
    const who = e.actor?.name || e.actor?.id || '';
    const role = e.actor?.unit ? unitName(e.actor.unit) : word(ROLE_KEY, e.actor?.role);
    const move = e.from && e.to && e.from !== e.to ? `${word(TSTATE_KEY, e.from)} → ${word(TSTATE_KEY, e.to)}` : '';
    const unit = e.diff?.unit?.to ? t('unit.history_to_unit', { unit: unitName(e.diff.unit.to) }) : '';
    return el('li', { dataset: { action: e.action, seq: e.seq } },
      el('div', { class: 'h-head' },
        el('strong', {}, word(ACTION_KEY, e.action)),
        el('span', { class: 'muted' }, [who, role].filter(Boolean).join(' · ')),
        el('time', { class: 'muted', datetime: e.time }, fmtDateTime(e.time))),
      move || unit ? el('div', { class: 'h-move muted' }, [move, unit].filter(Boolean).join('　')) : null,
      e.reason ? el('p', { class: 'h-reason' }, e.reason) : null);
  });
}

// ---------------------------------------------------------------- forms

/**
 * showErrors puts the API's field errors next to their inputs (the element
 * `#${prefix}-${field}`, its message in `#${prefix}-${field}-error`) and
 * everything else in the form's `#${prefix}-error` box. Answers the first
 * invalid input (focused), or null.
 */
export function showErrors(prefix, err, fieldIds = {}) {
  clearErrors(prefix);
  const fields = err instanceof api.ApiError ? err.fields : {};
  const loose = [];
  let first = null;
  for (const [name, problem] of Object.entries(fields)) {
    const id = fieldIds[name] ?? `${prefix}-${name}`;
    const input = document.getElementById(id);
    const msg = document.getElementById(`${id}-error`);
    if (!input || !msg || input.closest('[hidden]')) { loose.push(`${name}: ${problem}`); continue; }
    msg.textContent = problem;
    msg.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  const box = document.getElementById(`${prefix}-error`);
  if (box) {
    let text = api.errorText(err, t);
    if (Object.keys(fields).length) text = first ? t('unit.fix_fields') : text;
    if (err instanceof api.ApiError && err.status === 409) text = `${t('unit.conflict')} ${err.message}`;
    box.replaceChildren(el('strong', {}, t('unit.not_saved')), ' ', text, ...loose.map((l) => el('div', {}, l)));
    box.hidden = false;
  }
  (first ?? box)?.focus?.();
  return first;
}

/** clearErrors hides a form's messages. */
export function clearErrors(prefix) {
  const box = document.getElementById(`${prefix}-error`);
  if (box) { box.hidden = true; box.replaceChildren(); }
  for (const n of $$(`[id^="${prefix}-"].field-error`)) { n.hidden = true; n.textContent = ''; }
  for (const n of $$(`[id^="${prefix}-"][aria-invalid]`)) n.removeAttribute('aria-invalid');
}

// ---------------------------------------------------------------- sign-in

/**
 * startPage wires the sign-in form, the language switch and sign-out for a
 * page that is for the given roles. start(session) runs once signed in;
 * stop() when signed out. The page's own view is #viewId.
 */
export function startPage({ roles, viewId, notAllowedKey, start, stop }) {
  const view = () => document.getElementById(viewId);
  const showLogin = (key) => {
    view().hidden = true;
    $('#login-view').hidden = false;
    const err = $('#login-error');
    err.hidden = !key;
    err.textContent = key ? t(key) : '';
    $('#login-submit').disabled = false; // disabled in the HTML until this script runs
    $('#login-username').focus();
  };
  const enter = () => {
    const s = api.session();
    if (!roles.includes(s?.user?.role)) { showLogin(s ? notAllowedKey : ''); return; }
    $('#login-view').hidden = true;
    view().hidden = false;
    start(s);
  };
  const signedOut = (key) => {
    if (view().hidden) return;
    stop();
    api.clearSession();
    showLogin(key);
  };
  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('#login-error');
    const username = $('#login-username').value.trim();
    const password = $('#login-password').value;
    if (!username || !password) { err.textContent = t('login.missing'); err.hidden = false; return; }
    $('#login-submit').disabled = true;
    err.hidden = true;
    try {
      const s = await api.login(username, password);
      if (!roles.includes(s.user?.role)) {
        await api.logout();
        err.textContent = t(notAllowedKey);
        err.hidden = false;
        return;
      }
      $('#login-password').value = '';
      enter();
    } catch (e) {
      err.textContent = e instanceof api.ApiError && e.status === 401 ? t('login.failed') : api.errorText(e, t);
      err.hidden = false;
    } finally {
      $('#login-submit').disabled = false;
    }
  });
  $('#logout').addEventListener('click', async () => { stop(); await api.logout(); showLogin(); });
  window.addEventListener('hotline:unauthorized', () => signedOut('unit.expired'));
  applyI18n();
  bindToggles();
  if (api.session()) enter();
  else showLogin();
  return { signedOut };
}

// ---------------------------------------------------------------- live events

/**
 * liveEvents connects the events socket: onTicket(frame) for every ticket
 * frame, onOnline() after every (re)connect (reload then: frames missed
 * while away are not replayed), and the #ws-status pill kept current.
 */
export function liveEvents({ onTicket, onOnline, onUnauthorized }) {
  const sock = new DeskSocket({ token: api.token, path: '/api/v1/events/ws' });
  const pill = $('#ws-status');
  const render = (status) => {
    pill.dataset.ok = status === 'online' ? 'true' : status === 'connecting' || status === 'retrying' ? 'wait' : 'false';
    pill.dataset.status = status;
    pill.textContent = `${t('unit.live')} ${t(WS_KEY[status] ?? 'conn.stopped')}`;
  };
  sock.addEventListener('status', (ev) => {
    render(ev.detail.status);
    if (ev.detail.status === 'unauthorized') onUnauthorized?.();
  });
  sock.addEventListener('welcome', () => onOnline?.());
  sock.addEventListener('message', (ev) => { if (ev.detail.type === 'ticket') onTicket(ev.detail); });
  window.addEventListener('langchange', () => render(sock.status));
  render('connecting');
  sock.start();
  return sock;
}
