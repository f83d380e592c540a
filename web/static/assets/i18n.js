// Every visible string goes through t(key). The dictionary is i18n.json
// (one object per language with the same keys; a Go test checks that every
// key the pages use exists in both). The choice of language is remembered in
// localStorage.
//
// In HTML: data-i18n="key" sets the text, data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label set those attributes.

import dict from './i18n.json' with { type: 'json' };

const STORE = 'hotline.lang';
export const LANGS = ['zh', 'en'];

let lang = (() => {
  try {
    const saved = localStorage.getItem(STORE);
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage disabled: default */ }
  return 'zh';
})();

/** getLang returns "zh" or "en". */
export function getLang() { return lang; }

/** t translates key, filling {name} placeholders from vars. */
export function t(key, vars) {
  let s = dict[lang]?.[key] ?? dict.zh[key];
  if (s === undefined) {
    console.warn('i18n: missing key', key);
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] ?? m));
  return s;
}

/** has reports whether key exists. */
export function has(key) { return key in dict.zh; }

const ATTRS = ['placeholder', 'title', 'aria-label'];

/** apply translates the marked elements under root. */
export function apply(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const a of ATTRS) {
    for (const node of root.querySelectorAll(`[data-i18n-${a}]`)) node.setAttribute(a, t(node.getAttribute(`data-i18n-${a}`)));
  }
}

/** setLang switches the language, remembers it and re-renders. */
export function setLang(l) {
  if (!LANGS.includes(l)) return;
  lang = l;
  try { localStorage.setItem(STORE, l); } catch { /* not remembered */ }
  apply();
  window.dispatchEvent(new CustomEvent('langchange', { detail: l }));
}

/** toggle switches between the two languages. */
export function toggle() { setLang(lang === 'zh' ? 'en' : 'zh'); }

/** bindToggles makes every .lang-toggle button switch the language. */
export function bindToggles(root = document) {
  for (const b of root.querySelectorAll('.lang-toggle')) b.addEventListener('click', toggle);
}
