// The sign-in gate of every page (desk, wallboard, dispatch, unit,
// supervision, admin): it renders the sign-in form, checks the role, shows
// the page once a user of one of its roles is signed in, and brings the
// form back when the session ends (sign-out, a 401 from any call, a socket
// that says so). It also starts the page's language: the texts translated
// and every .lang-toggle button bound.
//
// The page's HTML has the placeholders <main id="login-view"
// class="login-view" hidden></main>, optionally <main id="forbidden-view"
// class="login-view" hidden></main>, its own view (hidden), a #logout
// button and an element for the user's name. Ids the gate renders (tests
// rely on them): #login-form #login-username #login-password #login-error
// #login-submit #login-lang; #forbidden-user #forbidden-logout
// #forbidden-home.

import { $, el } from './util.js';
import { t, apply as applyI18n, bindToggles } from './i18n.js';
import * as api from './api.js';

const text = (tag, key, attrs = {}) => el(tag, { ...attrs, 'data-i18n': key });
const brand = (key) => [el('span', { class: 'brand-mark' }, '12345'), text('span', key)];

function renderLogin(root, title) {
  root.replaceChildren(el('form', { id: 'login-form', class: 'login-card', method: 'post', action: '#', novalidate: true },
    el('h1', {}, brand(title)),
    text('label', 'login.username', { for: 'login-username' }),
    el('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true }),
    text('label', 'login.password', { for: 'login-password' }),
    el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    el('p', { id: 'login-error', class: 'form-error', role: 'alert', hidden: true }),
    text('button', 'login.submit', { id: 'login-submit', class: 'btn primary', type: 'submit' }),
    text('button', 'lang.switch', { id: 'login-lang', class: 'btn link lang-toggle', type: 'button' })));
}

function renderForbidden(root, key) {
  root.replaceChildren(el('section', { class: 'login-card forbidden-card', role: 'alert', 'aria-labelledby': 'forbidden-title' },
    el('h1', { id: 'forbidden-title' }, brand('admin.forbidden_title')),
    text('p', key),
    el('p', { class: 'muted' }, text('span', 'admin.signed_in_as'), ' ', el('strong', { id: 'forbidden-user' })),
    text('button', 'admin.other_account', { id: 'forbidden-logout', class: 'btn primary', type: 'button' }),
    text('a', 'admin.home', { id: 'forbidden-home', class: 'btn link', href: '../' })));
}

/**
 * gate starts the page. Options:
 *   roles      the roles the page is for
 *   title      i18n key of the page's name, on the sign-in card
 *   view       id of the page's own view (default "app-view")
 *   who        id of the element that shows the signed-in user (default "who")
 *   forbidden  i18n key: a signed-in user of another role gets the forbidden
 *              view (#forbidden-view) saying this; without it, the sign-in
 *              form says `denied` (and a new session of another role is
 *              ended at once)
 *   denied     i18n key, see forbidden
 *   expired    i18n key shown when the session ends (default login.expired)
 *   onStart(user)   when a user of one of roles is signed in
 *   onStop()        when the page is left (sign-out, expiry)
 *   beforeSignOut() before a sign-out the user asked for (may be async);
 *                   answering false keeps the user signed in
 * Answers {signedOut(key)}: the session has ended (a socket said so); a
 * no-op unless the page is running.
 */
export function gate({
  roles, title, view = 'app-view', who = 'who', forbidden, denied, expired = 'login.expired',
  onStart, onStop = () => {}, beforeSignOut = () => true,
}) {
  renderLogin($('#login-view'), title);
  if (forbidden) renderForbidden($('#forbidden-view'), forbidden);
  applyI18n();
  bindToggles();

  let running = false;
  const views = { login: 'login-view', forbidden: 'forbidden-view', app: view };
  const show = (name) => {
    for (const [n, id] of Object.entries(views)) {
      const node = document.getElementById(id);
      if (node) node.hidden = n !== name;
    }
  };
  const stop = () => { if (running) { running = false; onStop(); } };
  const error = (msg) => {
    $('#login-error').textContent = msg;
    $('#login-error').hidden = !msg;
  };
  const login = (key) => {
    stop();
    show('login');
    error(key ? t(key) : '');
    $('#login-submit').disabled = false;
    $('#login-username').focus();
  };
  const enter = () => {
    const s = api.session();
    if (!s) { login(); return; }
    const name = s.user?.name || s.user?.username || '';
    if (!roles.includes(s.user?.role)) {
      if (!forbidden) { login(denied); return; }
      stop();
      show('forbidden');
      $('#forbidden-user').textContent = `${name} (${s.user?.role ?? ''})`;
      $('#forbidden-logout').focus();
      return;
    }
    show('app');
    document.getElementById(who).textContent = name;
    if (!running) { running = true; onStart(s.user); }
  };
  const signedOut = (key = expired) => {
    if (!running) return;
    stop();
    api.clearSession();
    login(key);
  };
  const signOut = async () => {
    if (running && (await beforeSignOut()) === false) return;
    stop();
    await api.logout();
    login();
  };

  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = $('#login-username').value.trim();
    const password = $('#login-password').value;
    if (!username || !password) { error(t('login.missing')); return; }
    $('#login-submit').disabled = true;
    error('');
    try {
      const s = await api.login(username, password);
      if (!forbidden && !roles.includes(s.user?.role)) {
        await api.logout();
        error(t(denied));
        return;
      }
      $('#login-password').value = '';
      enter();
    } catch (e) {
      error(e instanceof api.ApiError && e.status === 401 ? t('login.failed') : api.errorText(e, t));
    } finally {
      $('#login-submit').disabled = false;
    }
  });
  $('#logout').addEventListener('click', signOut);
  if (forbidden) $('#forbidden-logout').addEventListener('click', signOut);
  window.addEventListener('hotline:unauthorized', () => signedOut());
  enter();
  return { signedOut };
}
