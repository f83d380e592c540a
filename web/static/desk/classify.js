// Category suggestions in the work-order form: while the agent types the
// request's content, the server's classifier (GET /api/v1/categories/suggest)
// proposes up to three categories as buttons under the category field; a
// click (or Enter on the focused button) picks one. Nothing is chosen for
// the agent. A server without a classifier (404) or without a model yet
// (an empty list) shows nothing.
//
// Element ids: #wo-classify (hidden when empty) > button[data-category]
// with .score.

import { $, el, debounce } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';

const MIN_CHARS = 6;
let seq = 0;
let off = false; // the server has no classifier
let last = '';

/**
 * initClassify wires the suggestions; pick(id) selects a category in the
 * form (and does what a manual choice does).
 */
export function initClassify({ pick }) {
  const ask = debounce(() => suggestFor(text(), pick), 400);
  $('#wo-content').addEventListener('input', ask);
  $('#wo-title')?.addEventListener('input', ask);
}

/** clearClassify empties the suggestions (a new call, a cleared form). */
export function clearClassify() {
  seq++;
  last = '';
  $('#wo-classify').replaceChildren();
  $('#wo-classify').hidden = true;
}

function text() {
  return [$('#wo-title')?.value ?? '', $('#wo-content').value].join(' ').trim();
}

async function suggestFor(q, pick) {
  if (off || q === last) return;
  last = q;
  const mine = ++seq;
  if ([...q].length < MIN_CHARS) { render([], pick); return; }
  let list = [];
  try {
    const r = await api.get('/api/v1/categories/suggest', { text: q });
    list = r.suggestions ?? [];
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 404) off = true;
    list = [];
  }
  if (mine === seq) render(list, pick);
}

function render(list, pick) {
  const box = $('#wo-classify');
  box.hidden = !list.length;
  box.replaceChildren(...(list.length ? [el('span', { class: 'muted small-text' }, t('wo.classify'))] : []),
    ...list.map((s) => {
      const b = el('button', { type: 'button', class: 'btn small chip', dataset: { category: s.category },
        title: t('wo.classify_pick', { name: s.name }) },
      s.name, ' ', el('span', { class: 'score muted' }, `${Math.round(s.score * 100)}%`));
      b.addEventListener('click', () => pick(s.category));
      return b;
    }));
}
