// Shared pieces of the work-order pages — the dispatch console (/dispatch/)
// and the unit portal (/unit/): the reference data (unit and category
// names), the words for states, lights and history actions, and the
// live-events WebSocket (GET /api/v1/events/ws, docs/api.md "Live events"),
// which speaks the desk socket's auth/welcome/error frames, so ws.js's
// DeskSocket carries it.

import { $, el, clock, fmtDateTime } from './util.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { DeskSocket } from './ws.js';
import { TSTATE_KEY, word, connWord, connOk } from './words.js';

// ---------------------------------------------------------------- words

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

// ---------------------------------------------------------------- live events

/**
 * liveEvents connects the events socket: onTicket(frame) for every ticket
 * frame, onOnline() after every (re)connect (reload then: frames missed
 * while away are not replayed), and the #ws-status pill kept current.
 */
export function liveEvents({ onTicket, onDigest, onOnline, onUnauthorized }) {
  const sock = new DeskSocket({ token: api.token, path: '/api/v1/events/ws' });
  const pill = $('#ws-status');
  const render = (status) => {
    pill.dataset.ok = connOk(status);
    pill.dataset.status = status;
    pill.textContent = `${t('unit.live')} ${connWord(status)}`;
  };
  sock.addEventListener('status', (ev) => {
    render(ev.detail.status);
    if (ev.detail.status === 'unauthorized') onUnauthorized?.();
  });
  sock.addEventListener('welcome', () => onOnline?.());
  sock.addEventListener('message', (ev) => {
    if (ev.detail.type === 'ticket') onTicket(ev.detail);
    else if (ev.detail.type === 'digest') onDigest?.(ev.detail);
  });
  window.addEventListener('langchange', () => render(sock.status));
  render('connecting');
  sock.start();
  return sock;
}
