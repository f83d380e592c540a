// The unit's claims on an order it holds (申诉): an unreasonable-request
// claim (不合理诉求) or an assessment appeal (考核申诉) with reason and
// evidence (POST /api/v1/tickets/{id}/claims; the API's field errors next to
// the fields, nothing filed then), and the order's claims so far with their
// state and ruling (GET /api/v1/claims?ticket=ID). Supervisors rule on them
// in the ranking page.
//
// Element ids: #claim-box #claim-list (li[data-claim][data-kind][data-state])
// #claim-status #claim-form #claim-error #claim-kind (fieldset; radios
// #claim-kind-unreasonable|appeal) #claim-reason #claim-evidence (each with
// -error) #claim-submit.

import { $, el, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { showErrors, clearErrors, busy } from '../assets/forms.js';

const KIND_KEY = { unreasonable: 'ucl.kind_unreasonable', appeal: 'ucl.kind_appeal' };
const STATE_KEY = { pending: 'ucl.state_pending', approved: 'ucl.state_approved', rejected: 'ucl.state_rejected' };
// A claim is about an order dispatched to the unit (docs/api.md).
const CLAIMABLE = ['dispatched', 'in_progress', 'replied', 'closed', 'archived'];

const C = { ticket: '', claims: null, seq: 0 };

/** initClaims wires the form. */
export function initClaims() {
  $('#claim-form').addEventListener('submit', submit);
  window.addEventListener('langchange', render);
}

/** showClaims shows the section for the open order when the unit holds it. */
export function showClaims(tk, holder) {
  const on = holder && CLAIMABLE.includes(tk.state);
  $('#claim-box').hidden = !on;
  if (!on) { C.ticket = ''; return; }
  if (C.ticket === tk.id) return;
  C.ticket = tk.id;
  C.claims = null;
  $('#claim-form').reset();
  clearErrors('claim');
  render();
  load();
}

/** clearClaims forgets the order (sign-out). */
export function clearClaims() {
  Object.assign(C, { ticket: '', claims: null });
  C.seq++;
  $('#claim-form').reset();
  clearErrors('claim');
  $('#claim-list').replaceChildren();
  $('#claim-box').hidden = true;
}

async function load() {
  const id = C.ticket;
  const seq = ++C.seq;
  $('#claim-status').textContent = t('unit.loading');
  try {
    const r = await api.get('/api/v1/claims', { ticket: id, limit: 200 });
    if (seq !== C.seq) return;
    C.claims = r.claims ?? [];
  } catch (err) {
    if (seq !== C.seq) return;
    $('#claim-status').textContent = `${t('ucl.load_failed')}: ${api.errorText(err, t)}`;
    return;
  }
  render();
}

function render() {
  if (C.claims === null) { $('#claim-list').replaceChildren(); return; }
  $('#claim-status').textContent = C.claims.length ? '' : t('ucl.none');
  $('#claim-list').replaceChildren(...[...C.claims].reverse().map(item));
}

function item(c) {
  const ruled = c.state !== 'pending'
    ? el('div', { class: 'muted small-text' }, t('ucl.ruled', { by: c.ruled_by_name || c.ruled_by || '–', at: fmtDateTime(c.ruled) }), c.note ? `：${c.note}` : '')
    : null;
  return el('li', { dataset: { claim: String(c.id), kind: c.kind, state: c.state } },
    el('div', { class: 'claim-head' },
      el('strong', {}, KIND_KEY[c.kind] ? t(KIND_KEY[c.kind]) : c.kind),
      el('span', { class: 'claim-state', dataset: { state: c.state } }, STATE_KEY[c.state] ? t(STATE_KEY[c.state]) : c.state),
      el('span', { class: 'muted small-text' }, t('ucl.filed', { by: c.filed_by_name || c.filed_by, at: fmtDateTime(c.filed) }))),
    el('div', { class: 'claim-text' }, c.reason),
    c.evidence ? el('div', { class: 'claim-text muted small-text' }, t('ucl.evidence_is', { text: c.evidence })) : null,
    ruled);
}

async function submit(ev) {
  ev.preventDefault();
  const id = C.ticket;
  if (!id) return;
  const form = $('#claim-form');
  const body = {
    kind: $('input[name="claim-kind"]:checked')?.value ?? '',
    reason: $('#claim-reason').value.trim(),
    evidence: $('#claim-evidence').value.trim(),
  };
  busy(form, true);
  clearErrors('claim');
  try {
    await api.post(`/api/v1/tickets/${encodeURIComponent(id)}/claims`, body);
  } catch (err) {
    showErrors('claim', err);
    return;
  } finally {
    busy(form, false);
  }
  form.reset();
  toast(t('ucl.saved'));
  if (C.ticket === id) await load();
}
