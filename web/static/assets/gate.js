// The sign-in gate of a page for some roles. The page has #login-view
// (form #login-form: #login-username #login-password #login-error
// #login-submit), #forbidden-view (#forbidden-user, #forbidden-logout) and
// #app-view; #who shows the signed-in user and #logout signs out. A user of
// another role sees the forbidden view, never the page; a session that
// ends (401 from any call) brings the sign-in form back.

import { $ } from './util.js';
import { t } from './i18n.js';
import * as api from './api.js';

/**
 * gate starts the page: onStart(user) when a user of one of roles is
 * signed in, onStop() when the page is left (sign-out, expiry).
 */
export function gate({ roles, onStart, onStop = () => {} }) {
  let running = false;
  const show = (view) => {
    for (const id of ['login-view', 'forbidden-view', 'app-view']) $(`#${id}`).hidden = id !== view;
  };
  const stop = () => { if (running) { running = false; onStop(); } };
  const login = (key) => {
    stop();
    show('login-view');
    $('#login-error').hidden = !key;
    $('#login-error').textContent = key ? t(key) : '';
    $('#login-submit').disabled = false; // disabled in the HTML until this script runs
    $('#login-username').focus();
  };
  const enter = () => {
    const s = api.session();
    if (!s) { login(); return; }
    const name = s.user?.name || s.user?.username || '';
    if (!roles.includes(s.user?.role)) {
      stop();
      show('forbidden-view');
      $('#forbidden-user').textContent = `${name} (${s.user?.role ?? ''})`;
      $('#forbidden-logout').focus();
      return;
    }
    show('app-view');
    $('#who').textContent = name;
    if (!running) { running = true; onStart(s.user); }
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
      await api.login(username, password);
      $('#login-password').value = '';
      enter();
    } catch (e) {
      err.textContent = e instanceof api.ApiError && e.status === 401 ? t('login.failed') : api.errorText(e, t);
      err.hidden = false;
    } finally {
      $('#login-submit').disabled = false;
    }
  });
  const out = async () => { stop(); await api.logout(); login(); };
  $('#logout').addEventListener('click', out);
  $('#forbidden-logout').addEventListener('click', out);
  window.addEventListener('hotline:unauthorized', () => { api.clearSession(); login('admin.expired'); });
  enter();
}
