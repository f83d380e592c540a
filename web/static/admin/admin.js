// The admin pages: units, accounts, categories, the dispatch catalogue
// (with the orders a rule covers), the deadline tiers and working calendar
// (edited whole, in sla.js), IVR prompt upload and Open311 API keys. Every form is sent
// as it is; the API checks it, and its field problems are shown next to
// the fields (assets/forms.js) with nothing saved.
//
// Element ids for tests: #login-* and #forbidden-view (gate.js), #app-view;
// #nav-units #nav-users #nav-categories #nav-catalogue #nav-sla
// #nav-prompts #nav-apikeys (aria-current) and #sec-<name>; lists
// #units-body tr[data-unit] #users-body tr[data-user] (button.toggle)
// #categories-body tr[data-category] #rules-body tr[data-rule] (button.edit,
// button.matches); forms with prefix unit, user, cat, rule, prompt, key:
// input #P-F, message #P-F-error, box #P-error, submit #P-save (#prompt-
// upload, #key-create); #rule-preview #rule-delete; #rule-matches
// #matches-body tr[data-ticket][data-routes]; #sla-form: #sla-tiers
// tr[data-urgency] with inputs #sla-tiers.<urgency>.<clock> (+ -unit, -error),
// #sla-working_days.<clock> #sla-warn_at, #sla-holidays / #sla-workdays (add
// inputs, + -add, -error) and #sla-holidays-list / #sla-workdays-list
// li[data-day][data-last] (button.remove), #sla-save #sla-cancel #sla-error,
// #sla-history li; #prompts-body tr[data-prompt="lang/name"]; #key-result
// #key-value; #apikeys-body tr[data-key=id][data-revoked] (button.revoke,
// then button.confirm / button.cancel).
//
// Read-only debug hook: window.hotlineAdmin = {section(), editing()}.

import { $, $$, el, fmtDateTime, toast } from '../assets/util.js';
import { t } from '../assets/i18n.js';
import * as api from '../assets/api.js';
import { gate } from '../assets/gate.js';
import { showErrors, clearErrors, clearField, busy, value } from '../assets/forms.js';
import { slaSection } from './sla.js';

const SECTIONS = ['units', 'users', 'categories', 'catalogue', 'sla', 'prompts', 'apikeys'];
const TIER_KEY = {
  district: 'admin.tier_district', street: 'admin.tier_street', district_dept: 'admin.tier_district_dept',
  city_dept: 'admin.tier_city_dept', enterprise: 'admin.tier_enterprise', centre: 'admin.tier_centre',
};
const ROLE_KEY = {
  admin: 'admin.role_admin', agent: 'admin.role_agent', dispatcher: 'admin.role_dispatcher',
  supervisor: 'admin.role_supervisor', unit: 'admin.role_unit', analyst: 'admin.role_analyst',
};
const URG_KEY = {
  '': 'admin.urg_none', emergency: 'admin.urg_emergency', utility: 'admin.urg_utility',
  ordinary: 'admin.urg_ordinary', complex: 'admin.urg_complex',
};
const TARGET_KEY = {
  unit: 'admin.target_unit', street: 'admin.target_street', district: 'admin.target_district',
  district_dept: 'admin.target_district_dept',
};
const LANG_KEY = { zh: 'admin.lang_zh', en: 'admin.lang_en' };

const A = {
  section: '',
  units: [], users: [], categories: [], rules: [], prompts: [], live: false,
  apikeys: [], revoking: '', newKey: '', // the key whose revocation awaits its confirmation; the one just made
  editing: { unit: null, user: null, cat: null, rule: null }, // the record a form edits; null: a new one
  loaded: new Set(),
};

const unitName = (id) => A.units.find((u) => u.id === id)?.name ?? id;
const catName = (id) => A.categories.find((c) => c.id === id)?.name ?? id;
const list = (s) => s.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);
const tr = (key, fallback) => (key ? t(key) : fallback);

function statusTag(disabled) {
  return el('span', { class: disabled ? 'tag off-tag' : 'tag ok-tag' }, t(disabled ? 'admin.st_disabled' : 'admin.st_enabled'));
}

function fail(e) { toast(api.errorText(e, t), { bad: true }); }

// ---------------------------------------------------------------- sections

function show(name) {
  if (!SECTIONS.includes(name)) name = 'units';
  A.section = name;
  for (const s of SECTIONS) {
    $(`#sec-${s}`).hidden = s !== name;
    const a = $(`#nav-${s}`);
    if (s === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  load(name).catch(fail);
}

async function load(name, again = false) {
  if (A.loaded.has(name) && !again) return;
  switch (name) {
    case 'units': await loadUnits(); break;
    case 'users': await Promise.all([loadUsers(), A.units.length ? null : loadUnits()]); break;
    case 'categories': await loadCategories(); break;
    case 'catalogue': await Promise.all([loadRules(), A.units.length ? null : loadUnits(), A.categories.length ? null : loadCategories()]); break;
    case 'sla': await sla.load(); break;
    case 'prompts': await loadPrompts(); break;
    case 'apikeys': await loadKeys(); break;
    default: break;
  }
  A.loaded.add(name);
}

// ---------------------------------------------------------------- datalists

function fillDatalists() {
  const opt = (value, label) => el('option', { value }, label);
  $('#dl-units').replaceChildren(...A.units.filter((u) => u.tier !== 'centre').map((u) => opt(u.id, u.name)));
  $('#dl-districts').replaceChildren(...A.units.filter((u) => u.tier === 'district').map((u) => opt(u.id, u.name)));
  $('#dl-areas').replaceChildren(...A.units.filter((u) => u.tier === 'district' || u.tier === 'street').map((u) => opt(u.id, u.name)));
  $('#dl-categories').replaceChildren(...A.categories.map((c) => opt(c.id, c.name)));
}

// ---------------------------------------------------------------- units

async function loadUnits() {
  A.units = (await api.get('/api/v1/units')).units;
  fillDatalists();
  renderUnits();
}

function renderUnits() {
  const tier = $('#units-tier').value;
  const q = $('#units-q').value.trim().toLowerCase();
  const rows = A.units.filter((u) => (!tier || u.tier === tier) &&
    (!q || `${u.id} ${u.name} ${u.aliases.join(' ')}`.toLowerCase().includes(q)));
  $('#units-count').textContent = t('admin.count', { n: rows.length });
  $('#units-body').replaceChildren(...rows.slice(0, 500).map((u) => {
    const b = el('button', { class: 'btn link edit', type: 'button' }, u.name);
    b.addEventListener('click', () => editUnit(u));
    return el('tr', { dataset: { unit: u.id }, class: A.editing.unit?.id === u.id ? 'selected' : '' },
      el('td', { class: 'mono' }, u.id), el('td', {}, b, u.sample ? el('span', { class: 'tag off-tag', title: t('admin.sample') }, t('admin.sample_short')) : null),
      el('td', {}, tr(TIER_KEY[u.tier], u.tier)), el('td', {}, u.parent ? unitName(u.parent) : ''),
      el('td', { class: 'mono' }, u.contact), el('td', {}, statusTag(u.disabled)));
  }));
}

function editUnit(u) {
  A.editing.unit = u ?? null;
  clearErrors('unit');
  const f = u ?? { id: '', name: '', tier: '', parent: '', kind: '', aliases: [], contact: '', disabled: false, sample: false };
  $('#unit-id').value = f.id;
  $('#unit-id').readOnly = !!u;
  $('#unit-name').value = f.name;
  $('#unit-tier').value = f.tier;
  $('#unit-parent').value = f.parent;
  $('#unit-kind').value = f.kind;
  $('#unit-aliases').value = f.aliases.join('，');
  $('#unit-contact').value = f.contact;
  $('#unit-disabled').checked = f.disabled;
  $('#unit-sample').checked = f.sample;
  setHeading('#unit-form-h', u ? 'admin.edit_unit' : 'admin.new_unit', u?.name);
  renderUnits();
  $(u ? '#unit-name' : '#unit-id').focus();
}

async function saveUnit(ev) {
  ev.preventDefault();
  const body = {
    name: value('unit', 'name'), tier: value('unit', 'tier'), parent: value('unit', 'parent'), kind: value('unit', 'kind'),
    aliases: list($('#unit-aliases').value), contact: value('unit', 'contact'),
    disabled: $('#unit-disabled').checked, sample: $('#unit-sample').checked,
  };
  const editing = A.editing.unit;
  await submit('unit', $('#unit-form'), async () => {
    const u = editing
      ? await api.request('PATCH', `/api/v1/units/${encodeURIComponent(editing.id)}`, { body })
      : await api.post('/api/v1/units', { id: value('unit', 'id'), ...body });
    await loadUnits();
    editUnit(A.units.find((x) => x.id === u.id));
    toast(t('admin.saved', { name: u.name }));
  });
}

// ---------------------------------------------------------------- users

async function loadUsers() {
  A.users = (await api.get('/api/v1/users')).users;
  renderUsers();
}

function renderUsers() {
  const q = $('#users-q').value.trim().toLowerCase();
  const rows = A.users.filter((u) => !q || `${u.username} ${u.name} ${u.unit}`.toLowerCase().includes(q));
  $('#users-count').textContent = t('admin.count', { n: rows.length });
  $('#users-body').replaceChildren(...rows.map((u) => {
    const edit = el('button', { class: 'btn link edit', type: 'button' }, u.username);
    edit.addEventListener('click', () => editUser(u));
    const toggle = el('button', { id: `user-toggle-${u.id}`, class: 'btn small toggle', type: 'button' }, t(u.disabled ? 'admin.enable' : 'admin.disable'));
    toggle.addEventListener('click', () => toggleUser(u));
    return el('tr', { dataset: { user: u.id }, class: A.editing.user?.id === u.id ? 'selected' : '' },
      el('td', { class: 'mono' }, edit), el('td', {}, u.name), el('td', {}, tr(ROLE_KEY[u.role], u.role)),
      el('td', {}, u.unit ? unitName(u.unit) : ''), el('td', {}, statusTag(u.disabled)), el('td', { class: 'actions' }, toggle));
  }));
}

function editUser(u) {
  A.editing.user = u ?? null;
  clearErrors('user');
  $('#user-username').value = u?.username ?? '';
  $('#user-username').readOnly = !!u;
  $('#user-name').value = u?.name ?? '';
  $('#user-role').value = u?.role ?? '';
  $('#user-unit').value = u?.unit ?? '';
  $('#user-password').value = '';
  $('#user-disabled').checked = u?.disabled ?? false;
  $('#user-disabled').closest('.field').hidden = !u;
  $('#user-password-note').hidden = !u;
  const label = $('#user-password-label');
  label.dataset.i18n = u ? 'admin.password_reset' : 'admin.password';
  label.textContent = t(label.dataset.i18n);
  setHeading('#user-form-h', u ? 'admin.edit_user' : 'admin.new_user', u?.username);
  renderUsers();
  $(u ? '#user-name' : '#user-username').focus();
}

async function saveUser(ev) {
  ev.preventDefault();
  const editing = A.editing.user;
  const body = { name: value('user', 'name'), role: value('user', 'role'), unit: value('user', 'unit') };
  const pw = $('#user-password').value;
  await submit('user', $('#user-form'), async () => {
    let u;
    if (editing) {
      if (pw) body.password = pw;
      body.disabled = $('#user-disabled').checked;
      u = await api.request('PATCH', `/api/v1/users/${encodeURIComponent(editing.id)}`, { body });
    } else {
      u = await api.post('/api/v1/users', { username: value('user', 'username'), password: pw, ...body });
    }
    await loadUsers();
    editUser(A.users.find((x) => x.id === u.id));
    toast(t(pw && editing ? 'admin.password_set' : 'admin.saved', { name: u.username }));
  });
}

async function toggleUser(u) {
  try {
    await api.request('PATCH', `/api/v1/users/${encodeURIComponent(u.id)}`, { body: { disabled: !u.disabled } });
    await loadUsers();
    toast(t(u.disabled ? 'admin.enabled' : 'admin.disabled_done', { name: u.username }));
  } catch (e) {
    const why = e instanceof api.ApiError && e.fields?.disabled ? e.fields.disabled : api.errorText(e, t);
    toast(why, { bad: true });
  }
}

// ---------------------------------------------------------------- categories

async function loadCategories() {
  A.categories = (await api.get('/api/v1/categories')).categories;
  fillDatalists();
  renderCategories();
}

function renderCategories() {
  const q = $('#categories-q').value.trim().toLowerCase();
  const rows = A.categories.filter((c) => !q || `${c.id} ${c.name} ${c.keywords.join(' ')}`.toLowerCase().includes(q));
  $('#categories-count').textContent = t('admin.count', { n: rows.length });
  $('#categories-body').replaceChildren(...rows.map((c) => {
    const b = el('button', { class: 'btn link edit', type: 'button' }, c.name);
    b.addEventListener('click', () => editCategory(c));
    return el('tr', { dataset: { category: c.id }, class: `${c.parent ? 'child' : 'root'}${A.editing.cat?.id === c.id ? ' selected' : ''}` },
      el('td', { class: 'mono' }, c.id), el('td', { class: c.parent ? 'indent' : '' }, b),
      el('td', {}, c.urgency ? t(URG_KEY[c.urgency] ?? 'admin.urg_none') : ''),
      el('td', {}, c.auto_dispatch ? t('admin.yes') : ''), el('td', {}, c.indicator), el('td', {}, statusTag(c.disabled)));
  }));
}

function editCategory(c) {
  A.editing.cat = c ?? null;
  clearErrors('cat');
  $('#cat-id').value = c?.id ?? '';
  $('#cat-id').readOnly = !!c;
  $('#cat-name').value = c?.name ?? '';
  $('#cat-parent').value = c?.parent ?? '';
  $('#cat-urgency').value = c?.urgency ?? '';
  $('#cat-indicator').value = c?.indicator ?? '';
  $('#cat-keywords').value = (c?.keywords ?? []).join('，');
  $('#cat-auto_dispatch').checked = c?.auto_dispatch ?? false;
  $('#cat-disabled').checked = c?.disabled ?? false;
  setHeading('#cat-form-h', c ? 'admin.edit_category' : 'admin.new_category', c?.name);
  renderCategories();
  $(c ? '#cat-name' : '#cat-id').focus();
}

async function saveCategory(ev) {
  ev.preventDefault();
  const editing = A.editing.cat;
  const body = {
    name: value('cat', 'name'), parent: value('cat', 'parent'), urgency: value('cat', 'urgency'), indicator: value('cat', 'indicator'),
    keywords: list($('#cat-keywords').value), auto_dispatch: $('#cat-auto_dispatch').checked, disabled: $('#cat-disabled').checked,
  };
  await submit('cat', $('#cat-form'), async () => {
    const c = editing
      ? await api.request('PATCH', `/api/v1/categories/${encodeURIComponent(editing.id)}`, { body })
      : await api.post('/api/v1/categories', { id: value('cat', 'id'), ...body });
    await loadCategories();
    editCategory(A.categories.find((x) => x.id === c.id));
    toast(t('admin.saved', { name: c.name }));
  });
}

// ---------------------------------------------------------------- catalogue

async function loadRules() {
  A.rules = (await api.get('/api/v1/catalogue')).rules;
  renderRules();
}

function targetText(r) {
  const what = tr(TARGET_KEY[r.target], r.target);
  if (r.target === 'unit') return `${what}：${unitName(r.unit)}`;
  if (r.target === 'district_dept') return `${what}：${r.kind}`;
  return what;
}

function renderRules() {
  const q = $('#rules-q').value.trim().toLowerCase();
  const rows = A.rules.filter((r) => !q || `${r.category} ${catName(r.category)} ${r.area} ${r.area ? unitName(r.area) : ''} ${r.unit} ${r.note}`.toLowerCase().includes(q));
  $('#rules-count').textContent = t('admin.count', { n: rows.length });
  $('#rules-body').replaceChildren(...rows.map((r) => {
    const b = el('button', { class: 'btn link edit', type: 'button' }, `${catName(r.category)}`);
    b.addEventListener('click', () => editRule(r));
    return el('tr', { dataset: { rule: String(r.id) }, class: A.editing.rule?.id === r.id ? 'selected' : '' },
      el('td', { class: 'num mono' }, String(r.id)),
      el('td', {}, b, el('div', { class: 'muted small-text mono' }, r.category)),
      el('td', { class: 'area-cell' }, r.area ? unitName(r.area) : t('admin.anywhere')),
      el('td', {}, targetText(r)), el('td', { class: 'num' }, String(r.priority)), el('td', { class: 'note-cell', title: r.note }, r.note));
  }));
}

function editRule(r) {
  A.editing.rule = r ?? null;
  clearErrors('rule');
  $('#rule-category').value = r?.category ?? '';
  $('#rule-area').value = r?.area ?? '';
  $('#rule-target').value = r?.target ?? '';
  $('#rule-unit').value = r?.unit ?? '';
  $('#rule-kind').value = r?.kind ?? '';
  $('#rule-priority').value = String(r?.priority ?? 10);
  $('#rule-note').value = r?.note ?? '';
  $('#rule-delete').hidden = !r;
  syncTarget();
  setHeading('#rule-form-h', r ? 'admin.edit_rule' : 'admin.new_rule', r ? `#${r.id}` : '');
  $('#rule-matches').hidden = true;
  renderRules();
  if (r) showMatches(() => api.get(`/api/v1/catalogue/${r.id}/tickets`), false);
  $('#rule-category').focus();
}

/** syncTarget shows the unit field for a fixed unit, the kind for a district department. */
function syncTarget() {
  const target = $('#rule-target').value;
  $('#rule-unit').closest('.field').hidden = target !== 'unit';
  $('#rule-kind').closest('.field').hidden = target !== 'district_dept';
}

function ruleBody() {
  const p = $('#rule-priority').value.trim();
  const body = {
    category: value('rule', 'category'), area: value('rule', 'area'), target: value('rule', 'target'),
    unit: value('rule', 'unit'), kind: value('rule', 'kind'), priority: Number(p), note: value('rule', 'note'),
  };
  if (body.target !== 'unit') body.unit = '';
  if (body.target !== 'district_dept') body.kind = '';
  if (p === '' || !Number.isInteger(body.priority)) body.priority = p; // the API names a bad number
  if (A.editing.rule) body.id = A.editing.rule.id;
  return body;
}

async function saveRule(ev) {
  ev.preventDefault();
  const editing = A.editing.rule;
  const body = ruleBody();
  await submit('rule', $('#rule-form'), async () => {
    const r = editing ? await api.request('PUT', `/api/v1/catalogue/${editing.id}`, { body }) : await api.post('/api/v1/catalogue', body);
    await loadRules();
    editRule(A.rules.find((x) => x.id === r.id));
    toast(t('admin.rule_saved', { id: r.id }));
  });
}

async function previewRule() {
  clearErrors('rule');
  try {
    const data = await api.post('/api/v1/catalogue/preview', ruleBody());
    renderMatches(data, true);
  } catch (e) {
    showErrors('rule', e);
  }
}

async function showMatches(fetcher, preview) {
  try {
    renderMatches(await fetcher(), preview);
  } catch (e) {
    fail(e);
  }
}

function renderMatches(data, preview) {
  const routed = data.tickets.filter((m) => m.routes).length;
  $('#rule-matches').hidden = false;
  $('#matches-h').textContent = t(preview ? 'admin.matches_preview' : 'admin.matches');
  $('#matches-count').textContent = t('admin.matches_count', { n: data.tickets.length, r: routed, scanned: data.scanned });
  $('#matches-body').replaceChildren(...data.tickets.map((m) => el('tr', { dataset: { ticket: m.id, routes: String(m.routes) }, class: m.routes ? '' : 'muted-row' },
    el('td', {}, el('div', { class: 'mono' }, m.id), el('div', { class: 'muted small-text', title: t('admin.created') }, fmtDateTime(m.created))),
    el('td', { class: 'note-cell', title: m.title }, m.title),
    el('td', { class: 'wrap' }, el('span', { class: m.routes ? 'tag ok-tag' : 'tag off-tag' }, m.routes ? t('admin.by_this_rule') : t('admin.by_rule', { id: m.rule || '–' })),
      m.routed_unit ? unitName(m.routed_unit) : '–'),
    el('td', { class: 'wrap' }, m.unit ? unitName(m.unit) : t('admin.not_dispatched')))));
  if (!data.tickets.length) $('#matches-body').replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'muted' }, t('admin.no_matches'))));
}

async function deleteRule() {
  const r = A.editing.rule;
  if (!r || !window.confirm(t('admin.confirm_delete', { id: r.id }))) return;
  try {
    await api.request('DELETE', `/api/v1/catalogue/${r.id}`);
    await loadRules();
    editRule(null);
    toast(t('admin.rule_deleted', { id: r.id }));
  } catch (e) {
    showErrors('rule', e);
  }
}

// ---------------------------------------------------------------- prompts

async function loadPrompts() {
  const data = await api.get('/api/v1/prompts');
  A.prompts = data.prompts;
  A.live = data.live;
  renderPrompts();
}

function renderPrompts() {
  $('#prompts-count').textContent = t('admin.uploaded_count', { n: A.prompts.filter((p) => p.uploaded).length, total: A.prompts.length });
  const shown = A.prompts.filter((p) => p.lang === $('#prompt-lang').value);
  $('#prompts-body').replaceChildren(...shown.map((p) => el('tr', { dataset: { prompt: `${p.lang}/${p.name}`, uploaded: String(p.uploaded) } },
    el('td', {}, t(LANG_KEY[p.lang] ?? 'admin.lang_zh')), el('td', { class: 'mono' }, p.name),
    el('td', {}, p.uploaded ? el('span', { class: 'tag ok-tag' }, t('admin.uploaded_at', { at: fmtDateTime(p.updated) })) : el('span', { class: 'muted' }, t('admin.shipped'))))));
  const lang = $('#prompt-lang').value;
  const keep = $('#prompt-name').value;
  $('#prompt-name').replaceChildren(...A.prompts.filter((p) => p.lang === lang).map((p) => el('option', { value: p.name }, p.name)));
  if (keep && A.prompts.some((p) => p.lang === lang && p.name === keep)) $('#prompt-name').value = keep;
  $('#prompt-live').dataset.i18n = A.live ? 'admin.prompt_live' : 'admin.prompt_restart';
  $('#prompt-live').textContent = t($('#prompt-live').dataset.i18n);
}

async function uploadPrompt(ev) {
  ev.preventDefault();
  const lang = $('#prompt-lang').value;
  const name = $('#prompt-name').value;
  const file = $('#prompt-file').files[0];
  await submit('prompt', $('#prompt-form'), async () => {
    if (!file) throw new api.ApiError(400, { code: 'invalid', message: t('admin.choose_file'), fields: { file: t('admin.choose_file') } });
    const p = await api.request('POST', `/api/v1/prompts/${encodeURIComponent(lang)}/${encodeURIComponent(name)}`, { raw: file, contentType: 'audio/wav', timeout: 60000 });
    $('#prompt-file').value = '';
    await loadPrompts();
    toast(t('admin.prompt_saved', { name: p.name, s: p.seconds ?? '' }));
  });
}

// ---------------------------------------------------------------- API keys

async function createKey(ev) {
  ev.preventDefault();
  await submit('key', $('#key-form'), async () => {
    const k = await api.post('/api/v1/apikeys', { name: value('key', 'name') });
    $('#key-value').textContent = k.key;
    $('#key-meta').textContent = t('admin.key_meta', { name: k.name, at: fmtDateTime(k.created) });
    $('#key-result').hidden = false;
    $('#key-name').value = '';
    A.newKey = k.id;
    await loadKeys();
    $('#key-copy').focus();
  });
}

async function loadKeys() {
  A.apikeys = (await api.get('/api/v1/apikeys')).apikeys;
  renderKeys();
}

function renderKeys() {
  $('#apikeys-count').textContent = t('admin.count', { n: A.apikeys.length });
  $('#apikeys-empty').hidden = A.apikeys.length > 0;
  $('#apikeys-body').replaceChildren(...A.apikeys.map((k) => el('tr', { dataset: { key: k.id, revoked: String(k.revoked) }, class: k.id === A.newKey ? 'selected' : '' },
    el('td', { class: 'mono' }, k.id), el('td', {}, k.name), el('td', { class: 'mono' }, k.user),
    el('td', {}, fmtDateTime(k.created)),
    el('td', {}, el('span', { class: k.revoked ? 'tag off-tag' : 'tag ok-tag' }, t(k.revoked ? 'apikey.revoked' : 'apikey.active'))),
    el('td', { class: 'actions' }, keyActions(k)))));
}

/** keyActions is a revoke button that asks, in place, to be confirmed. */
function keyActions(k) {
  if (k.revoked) return null;
  if (A.revoking !== k.id) {
    const b = el('button', { class: 'btn small revoke', type: 'button', 'aria-label': t('apikey.revoke_named', { name: k.name }) }, t('apikey.revoke'));
    b.addEventListener('click', () => {
      A.revoking = k.id;
      renderKeys();
      $(`#apikeys-body tr[data-key="${k.id}"] button.confirm`)?.focus();
    });
    return b;
  }
  const yes = el('button', { class: 'btn small danger confirm', type: 'button' }, t('apikey.confirm'));
  const no = el('button', { class: 'btn small cancel', type: 'button' }, t('apikey.cancel'));
  yes.addEventListener('click', () => revokeKey(k, yes));
  no.addEventListener('click', () => { A.revoking = ''; renderKeys(); });
  return el('span', { class: 'confirm-row', role: 'group' }, el('span', { class: 'small-text' }, t('apikey.confirm_q', { name: k.name })), yes, no);
}

async function revokeKey(k, btn) {
  btn.disabled = true;
  try {
    await api.request('POST', `/api/v1/apikeys/${encodeURIComponent(k.id)}/revoke`);
    A.revoking = '';
    if (k.id === A.newKey) { // the key just shown is no use any more
      $('#key-result').hidden = true;
      $('#key-value').textContent = '';
    }
    await loadKeys();
    toast(t('apikey.revoked_done', { name: k.name }));
  } catch (e) {
    btn.disabled = false;
    fail(e);
  }
}

// ---------------------------------------------------------------- common

function setHeading(sel, key, extra) {
  const h = $(sel);
  h.dataset.i18n = key;
  h.textContent = t(key);
  if (extra) h.append(' ', el('span', { class: 'muted' }, extra));
}

/** submit runs a form's save: busy while waiting, field errors on failure. */
async function submit(prefix, form, fn) {
  clearErrors(prefix);
  busy(form, true);
  try {
    await fn();
  } catch (e) {
    showErrors(prefix, e);
  } finally {
    busy(form, false);
  }
}

// The deadlines section (sla.js) saves through submit like every form.
const sla = slaSection({ submit, urgencyName: (u) => tr(URG_KEY[u], u) });

function start() {
  A.loaded.clear();
  show(location.hash.slice(1));
}

function stop() {
  A.loaded.clear();
}

window.addEventListener('hashchange', () => { if (!$('#app-view').hidden) show(location.hash.slice(1)); });
window.addEventListener('langchange', () => {
  if (A.units.length) renderUnits();
  if (A.users.length) renderUsers();
  if (A.categories.length) renderCategories();
  if (A.rules.length) renderRules();
  sla.render();
  if (A.prompts.length) renderPrompts();
  if (A.loaded.has('apikeys')) renderKeys();
});
$('#units-tier').addEventListener('change', renderUnits);
$('#units-q').addEventListener('input', renderUnits);
$('#users-q').addEventListener('input', renderUsers);
$('#categories-q').addEventListener('input', renderCategories);
$('#rules-q').addEventListener('input', renderRules);
$('#unit-new').addEventListener('click', () => editUnit(null));
$('#user-new').addEventListener('click', () => editUser(null));
$('#cat-new').addEventListener('click', () => editCategory(null));
$('#rule-new').addEventListener('click', () => editRule(null));
$('#unit-cancel').addEventListener('click', () => editUnit(A.editing.unit));
$('#user-cancel').addEventListener('click', () => editUser(A.editing.user));
$('#cat-cancel').addEventListener('click', () => editCategory(A.editing.cat));
$('#rule-cancel').addEventListener('click', () => editRule(A.editing.rule));
$('#unit-form').addEventListener('submit', saveUnit);
$('#user-form').addEventListener('submit', saveUser);
$('#cat-form').addEventListener('submit', saveCategory);
$('#rule-form').addEventListener('submit', saveRule);
$('#rule-preview').addEventListener('click', previewRule);
$('#rule-target').addEventListener('change', syncTarget);
$('#rule-delete').addEventListener('click', deleteRule);
$('#prompt-form').addEventListener('submit', uploadPrompt);
$('#prompt-lang').addEventListener('change', renderPrompts);
$('#key-form').addEventListener('submit', createKey);
$('#key-copy').addEventListener('click', async () => {
  try { await navigator.clipboard.writeText($('#key-value').textContent); toast(t('admin.copied')); } catch { toast(t('admin.copy_failed'), { bad: true }); }
});
for (const id of ['unit-form', 'user-form', 'cat-form', 'rule-form', 'prompt-form', 'key-form']) {
  // A field's message goes when the field is changed.
  $(`#${id}`).addEventListener('input', (ev) => clearField(ev.target.id));
}
for (const s of SECTIONS) $(`#nav-${s}`).addEventListener('click', () => { if (location.hash === `#${s}`) show(s); });

window.hotlineAdmin = Object.freeze({
  section: () => A.section,
  editing: () => structuredClone(A.editing),
});

gate({ roles: ['admin'], title: 'admin.name', forbidden: 'admin.forbidden', expired: 'admin.expired', onStart: start, onStop: stop });
