// Forms that the API validates (every page but the desk's work order). The
// server is the authority: a form is sent as it is, and the problems in the
// ApiError's fields are shown next to the fields they name. Convention: the
// input of API field F in a form with prefix P has the id P-F, its message
// the id P-F-error (a .field-error element, hidden until used), and the
// form's own message box the id P-error.

import { $, $$, el } from './util.js';
import { t } from './i18n.js';
import * as api from './api.js';

// The API's field problems are English; the common ones are shown in the
// page's language, any other as the server wrote it.
const PROBLEM_KEY = {
  required: 'admin.msg_required',
  "2–32 lower-case letters, digits, '.', '_' or '-'": 'admin.msg_username',
  "1–64 letters, digits, '.', '_' or '-'": 'admin.msg_id',
  '1–50 characters': 'admin.msg_name50',
  '1–100 characters': 'admin.msg_name100',
  '8–128 characters': 'admin.msg_password',
  'one of admin, agent, dispatcher, supervisor, unit, analyst': 'admin.msg_role',
  'required for a unit account': 'admin.msg_unit_required',
  'only unit accounts belong to a unit': 'admin.msg_unit_only',
  'unknown unit': 'admin.msg_unknown_unit',
  'unknown or disabled unit': 'admin.msg_unit_disabled',
  'you cannot disable your own account': 'admin.msg_self_disable',
  taken: 'admin.msg_taken',
  'unknown category': 'admin.msg_unknown_category',
  'must be a district or a street/town': 'admin.msg_area',
  'required: the kind of district department': 'admin.msg_kind',
  'required for a district department': 'admin.msg_kind',
  'required: the district': 'admin.msg_parent_district',
  'must be a district': 'admin.msg_parent_district',
  'a unit cannot be its own parent': 'admin.msg_own_parent',
  'would make a cycle': 'admin.msg_cycle',
  'each alias needs at least two characters': 'admin.msg_alias',
  'unknown field': 'admin.msg_unknown_field',
};

/** problemText is a field problem in the page's language when it is a known one. */
export function problemText(problem) {
  if (PROBLEM_KEY[problem]) return t(PROBLEM_KEY[problem]);
  const one = /^must be one of (.+)$/.exec(problem);
  if (one) return t('admin.msg_one_of', { list: one[1] });
  const wav = /^must be 8000 Hz mono 16-bit PCM, not (\d+) Hz, (\d+) channel\(s\), (\d+)-bit/.exec(problem);
  if (wav) return t('admin.msg_wav_format', { rate: wav[1], ch: wav[2], bits: wav[3] });
  const long = /^([\d.]+) s long; at most (\d+) s$/.exec(problem);
  if (long) return t('admin.msg_wav_long', { s: long[1], max: long[2] });
  if (problem === 'longer than 60 s') return t('admin.msg_wav_long', { s: '> 60', max: 60 });
  if (problem.startsWith('not a WAV file')) return t('admin.msg_wav_not');
  return problem;
}

/** clearErrors hides every message of the form with prefix p. */
export function clearErrors(p) {
  const box = document.getElementById(`${p}-error`);
  if (box) { box.hidden = true; box.replaceChildren(); }
  for (const n of $$(`[id^="${p}-"].field-error`)) { n.hidden = true; n.textContent = ''; }
  for (const n of $$(`[id^="${p}-"][aria-invalid]`)) n.removeAttribute('aria-invalid');
}

/** clearField hides the message of the input with the id and unmarks it. */
export function clearField(id) {
  if (!id) return;
  const msg = document.getElementById(`${id}-error`);
  if (msg) { msg.hidden = true; msg.textContent = ''; }
  document.getElementById(id)?.removeAttribute('aria-invalid');
}

/**
 * showErrors puts err's field problems next to their inputs (map renames
 * an API field to a local one) and a summary in the form's box. Problems
 * of fields the form does not show are listed in the box. A conflict (409)
 * is told in the words of the i18n key `conflict` when given (the work-order
 * pages: the order changed under the user). Focus moves to the first field
 * at fault, in the page's order. Answers that field, or null.
 */
export function showErrors(p, err, { map = {}, conflict } = {}) {
  clearErrors(p);
  const fields = err instanceof api.ApiError ? err.fields : {};
  const loose = [];
  let first = null;
  for (const [name, problem] of Object.entries(fields)) {
    const local = map[name] ?? name;
    const input = document.getElementById(`${p}-${local}`);
    const msg = document.getElementById(`${p}-${local}-error`);
    if (!input || !msg || input.closest('[hidden]')) { loose.push(`${name}: ${problem}`); continue; }
    msg.textContent = problemText(problem);
    msg.title = problem;
    msg.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    // The first field in the page's order, not the API's (alphabetical).
    if (!first || first.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_PRECEDING) first = input;
  }
  const box = document.getElementById(`${p}-error`);
  if (box) {
    let head = first ? t('admin.fix_fields') : api.errorText(err, t);
    if (conflict && err instanceof api.ApiError && err.status === 409) head = `${t(conflict)} ${err.message}`;
    box.replaceChildren(el('strong', {}, t('admin.not_saved')), ' ', head, ...loose.map((l) => el('div', {}, l)));
    box.hidden = false;
  }
  (first ?? box)?.focus?.();
  return first;
}

/** busy marks a form as waiting for the server (its submit disabled). */
export function busy(form, on) {
  form.setAttribute('aria-busy', String(on));
  for (const b of $$('button[type="submit"]', form)) b.disabled = on;
}

/** value reads an input of the form with prefix p ("" when missing). */
export function value(p, field) {
  const n = $(`#${p}-${field}`);
  if (!n) return '';
  if (n.type === 'checkbox') return n.checked;
  return n.value.trim();
}
