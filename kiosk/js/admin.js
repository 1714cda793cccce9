/* Admin page — /admin
 *
 * Sign in with an admin token, checked with /api/v1/me (a clerk or kiosk token is refused with a
 * clear message); kept in sessionStorage, or in localStorage when "remember" is ticked, exactly
 * like /counter. Then, for the chosen location:
 *   - closures: a form (date + time from/to in the location's zone, desks, reason) that first runs
 *     a dry run (POST /admin/closures {dryRun: true}) and lists the appointments it would affect;
 *     the admin then closes and cancels them ("cancel"), closes and keeps them ("keep"), or, with
 *     none affected, simply closes. The list of closures, each with "Lift" (confirmed in a dialog).
 *   - the waitlist per service (GET /admin/waitlist): how many wait, which offers are open.
 *   - failed mail (GET /admin/outbox?status=failed), for all locations.
 *   - reload of the config (POST /admin/reload): orphaned appointments, or the file:line:column
 *     of each mistake (the old config stays).
 * Instants are shown in the location's time zone and formatted per language. The APIs carry no
 * personal data, and nothing here asks for any.
 *
 * data-testid:
 *   view-signin, token-input, remember, btn-sign-in, signin-error, view-admin, who-name, btn-sign-out,
 *   offline-indicator, lang-switch, lang-nl|fr|en|de, select-location, zone-note, admin-message,
 *   section-closures, closure-form, closure-errors, from-date, from-time, to-date, to-time, desks,
 *   reason, reason-fr|en|de, from-error, to-error, desks-error, reason-error, btn-check,
 *   dryrun, dryrun-title, dryrun-summary, dryrun-table, dryrun-list, affected-<reference>,
 *   btn-close-cancel, btn-close-keep, btn-close-plain, btn-dryrun-back,
 *   closures-state, closures-table, closures-list, closure-<id>, btn-lift-<id>, btn-closures-refresh,
 *   lift-dialog, lift-text, lift-error, lift-confirm, lift-cancel,
 *   section-waitlist, waitlist-state, waitlist-groups, waitlist-service-<serviceId>,
 *   waitlist-count-<serviceId>, waitlist-entry-<id>, btn-waitlist-refresh,
 *   section-outbox, outbox-state, outbox-table, outbox-list, outbox-<id>, btn-outbox-refresh,
 *   section-reload, btn-reload, reload-result, reload-summary, reload-errors, reload-error,
 *   reload-orphaned, orphaned-<reference>
 *   section-today, section-history, section-tokens, section-audit and theirs: see dashboard.js.
 */
import {api, seg, isAborted, isOutage} from './api.js';
import {initI18n, getLang, t, tn, hasText, languageSwitcher, onLangChange, LOCALES} from './i18n.js';
import {$, h, store, focusEl, clock} from './dom.js';
import {problemText} from './problems.js';
import {staffSignIn} from './signin.js';
import {createDashboard} from './dashboard.js';

const TOKEN_KEY = 'loket.admin.token';

const LOC_KEY = 'loket.admin.location';
const DEFAULT_ZONE = 'Europe/Brussels';
const LANGS = ['nl', 'fr', 'en', 'de'];

const local = store('local');

/** What the page knows; the render functions draw it. */
const state = {
  token: null,
  me: null,                // {role, name} once signed in
  locations: [],
  locationId: null,
  services: new Map(),     // service id → name in the current language
  servicesLang: null,
  closures: null,          // null = not loaded
  waitlist: null,
  outbox: null,
  dryRun: null,            // {body, affected} of the last check, while the form is unchanged
  lift: null,              // the closure the lift dialog is about
  pending: false,          // a write is running: ignore more clicks
  loadGen: 0,              // answers for a location that is no longer chosen are dropped
  lastReload: null,        // {ok} or {error} of the last reload, shown until the next one
};

/** Today, history, tokens and the audit log (dashboard.js); this page tells it what happens. */
const dashboard = createDashboard({token: () => state.token, location: () => state.locationId, zone: () => zoneOf(),
  serviceName: (id) => serviceName(id), onError: (e) => handleError(e), announce: (text) => announce(text)});

const auth = staffSignIn({key: TOKEN_KEY, roles: ['admin'], texts: 'admin.signIn', state, view: '#view-admin', enter: enterAdmin});

/* ------------------------------------------------------------------ time in the location's zone */

const pad = (n) => String(n).padStart(2, '0');

function zoneOf(locationId = state.locationId) {
  return state.locations.find((l) => l.id === locationId)?.timeZone || DEFAULT_ZONE;
}

/** The wall-clock fields of instant ms in zone tz. */
function wallParts(ms, tz) {
  const f = new Intl.DateTimeFormat('en-GB', {timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {y: Number(p.year), m: Number(p.month), d: Number(p.day), hh: Number(p.hour) % 24, mm: Number(p.minute), ss: Number(p.second)};
}

/** Minutes the zone is ahead of UTC at instant ms. */
function offsetAt(ms, tz) {
  const w = wallParts(ms, tz);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * "2026-12-01" + "09:30" in Europe/Brussels → "2026-12-01T09:30:00+01:00". A wall time skipped by
 * a daylight-saving change is moved on by the gap, as the zone itself does.
 */
export function zonedIso(date, time, tz) {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  const tm = /^(\d{2}):(\d{2})/.exec(time || '');
  if (!dm || !tm) return null;
  const [y, mo, d, hh, mi] = [dm[1], dm[2], dm[3], tm[1], tm[2]].map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mi);
  const check = new Date(wall);
  // Date.UTC rolls 2026-13-01 over into 2027; a date that does not come back unchanged is not real.
  if (Number.isNaN(wall) || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d
      || hh > 23 || mi > 59) return null;
  let at = wall - offsetAt(wall, tz) * 60000;
  at = wall - offsetAt(at, tz) * 60000;
  const off = offsetAt(at, tz);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${new Date(at + off * 60000).toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "YYYY-MM-DD" today in zone tz, on the server's clock. */
function todayIn(tz) {
  const w = wallParts(clock.nowMs(), tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

const DATE_TIME = {weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit'};

function formatter(tz, opts = DATE_TIME) {
  return new Intl.DateTimeFormat(LOCALES[getLang()] || 'nl-BE', {...opts, timeZone: tz});
}

/** An instant as "di 1 dec. 2026 09:30" in the location's zone and the page's language. */
function when(iso, tz = zoneOf()) {
  const ms = Date.parse(iso || '');
  return Number.isNaN(ms) ? '—' : formatter(tz).format(new Date(ms));
}

/** Two instants as one range ("di 1 dec. 2026 09:00–12:00"); the day once when it is the same. */
function range(fromIso, toIso, tz = zoneOf()) {
  const a = Date.parse(fromIso || '');
  const b = Date.parse(toIso || '');
  if (Number.isNaN(a) || Number.isNaN(b)) return `${when(fromIso, tz)} – ${when(toIso, tz)}`;
  const f = formatter(tz);
  return typeof f.formatRange === 'function' ? f.formatRange(new Date(a), new Date(b)) : `${f.format(a)} – ${f.format(b)}`;
}

/** Orders ISO instants by the moment they name (their offsets may differ across a DST change). */
const byInstant = (a, b) => (Date.parse(a || '') || 0) - (Date.parse(b || '') || 0);

/** A waitlist range end: a civil date ("2026-12-01") or an instant. */
function dayOrWhen(v, tz) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v || '')) {
    const [y, m, d] = v.split('-').map(Number);
    return new Intl.DateTimeFormat(LOCALES[getLang()] || 'nl-BE', {weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'})
      .format(new Date(Date.UTC(y, m - 1, d)));
  }
  return when(v, tz);
}

/* ------------------------------------------------------------------ sign in / out */

async function boot() {
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  onLangChange(() => {
    if (!state.me) return;
    // What the last action said was in the old language; the lists and the dry run are redrawn.
    say('');
    clearFieldErrors();
    renderAll();
    dashboard.render();
    Promise.all([loadLocations({reselect: false}), loadServices()]).finally(renderAll);
  });
  wire();
  await auth.resume();
}

function signOut(reasonKey) {
  auth.forget();
  dashboard.stop();
  Object.assign(state, {token: null, me: null, closures: null, waitlist: null, outbox: null, lastReload: null});
  if ($('#lift-dialog').open) $('#lift-dialog').close();
  // Nothing of this session stays on screen for whoever signs in next.
  clearDryRun();
  clearFieldErrors();
  $('#reload-result').hidden = true;
  say('');
  auth.show(reasonKey);
}

async function enterAdmin() {
  $('#view-signin').hidden = true;
  $('#view-admin').hidden = false;
  $('#who').hidden = false;
  $('#who-name').textContent = state.me.name || '';
  focusEl($('#admin-title'));
  dashboard.start();
  await Promise.all([loadLocations(), loadServices()]);
  loadOutbox();
}

/* ------------------------------------------------------------------ loading */

/**
 * The locations, named in the page's language. reselect: load the chosen location's sections
 * again (after sign-in and reload); otherwise only when the chosen one is gone.
 */
async function loadLocations({reselect = true} = {}) {
  try {
    state.locations = await api('/locations', {query: {lang: getLang()}}) || [];
  } catch (e) {
    handleError(e);
    return;
  }
  const sel = $('#select-location');
  const keep = state.locationId || local.get(LOC_KEY);
  sel.replaceChildren(...state.locations.map((l) => h('option', {value: l.id}, l.name || l.id)));
  const chosen = state.locations.some((l) => l.id === keep) ? keep : state.locations[0]?.id;
  if (chosen) sel.value = chosen;
  if (reselect || chosen !== state.locationId) selectLocation(chosen, {resetForm: !state.locationId});
}

/** Service names in the page's language, for every list that names a service by id. */
async function loadServices() {
  const lang = getLang();
  if (state.servicesLang === lang) return;
  try {
    const list = await api('/services', {query: {lang}, timeout: 20000}) || [];
    state.services = new Map(list.map((s) => [s.id, s.name]));
    state.servicesLang = lang;
  } catch (e) {
    handleError(e, {quiet: true});
  }
}

const serviceName = (id) => state.services.get(id) || id || '—';
const locationName = (id) => state.locations.find((l) => l.id === id)?.name || id || '—';

function selectLocation(id, {resetForm = false} = {}) {
  state.locationId = id || null;
  if (state.locationId) local.set(LOC_KEY, state.locationId);
  state.closures = null;
  state.waitlist = null;
  clearDryRun();
  if (resetForm || !$('#from-date').value) fillFormDefaults();
  renderZone();
  loadClosures();
  loadWaitlist();
  dashboard.setLocation();
}

function fillFormDefaults() {
  const today = todayIn(zoneOf());
  $('#from-date').value = today;
  $('#to-date').value = today;
  $('#from-time').value = '08:00';
  $('#to-time').value = '17:00';
  $('#desks').value = '0';
}

/**
 * Runs one section load. For a section of the chosen location (perLocation), the answer counts
 * only while that location is still chosen.
 */
async function sectionLoad(key, path, query, render, {perLocation = true} = {}) {
  const gen = state.loadGen;
  const loc = state.locationId;
  const stale = () => perLocation && (gen !== state.loadGen || loc !== state.locationId);
  state[key] = null;
  setSectionState(key, 'loading');
  try {
    const list = await api(path, {token: state.token, query});
    if (stale()) return;
    state[key] = Array.isArray(list) ? list : [];
    $('#offline').hidden = true;
    render();
  } catch (e) {
    if (stale() || isAborted(e)) return;
    if (e?.status === 401 || e?.status === 403) return handleError(e);
    if (isOutage(e)) $('#offline').hidden = false;
    setSectionState(key, 'error', isOutage(e) ? t('admin.err.unreachable') : t('admin.loadFailed', {detail: e?.detail || e?.title || ''}));
  }
  return undefined;
}

function loadClosures() {
  if (!state.locationId) return setSectionState('closures', 'none');
  return sectionLoad('closures', '/admin/closures', {location: state.locationId}, renderClosures);
}

function loadWaitlist() {
  if (!state.locationId) return setSectionState('waitlist', 'none');
  return sectionLoad('waitlist', '/admin/waitlist', {location: state.locationId}, renderWaitlist);
}

function loadOutbox() {
  return sectionLoad('outbox', '/admin/outbox', {status: 'failed'}, renderOutbox, {perLocation: false});
}

/* ------------------------------------------------------------------ rendering */

const SECTION_IDS = {closures: ['closures-state', 'closures-table'], waitlist: ['waitlist-state', 'waitlist-groups'],
  outbox: ['outbox-state', 'outbox-table']};

/** A section's line under its heading: loading, empty, error (with the reason) or nothing. */
function setSectionState(key, kind, errorText = '') {
  const [stateId, bodyId] = SECTION_IDS[key];
  const el = $(`#${stateId}`);
  const text = {
    loading: t('common.loading'),
    empty: t(`admin.${key}.empty`),
    none: t('admin.noLocation'),
    error: errorText,
  }[kind] || '';
  el.textContent = text;
  el.hidden = !text;
  el.className = kind === 'error' ? 'field-error' : 'muted';
  el.dataset.state = kind || 'ready';
  $(`#${bodyId}`).hidden = kind !== 'ready';
}

function renderZone() {
  const tz = zoneOf();
  $('#zone-note').textContent = state.locationId ? t('admin.zoneNote', {zone: tz}) : '';
}

function renderAll() {
  renderZone();
  if (state.closures) renderClosures();
  if (state.waitlist) renderWaitlist();
  if (state.outbox) renderOutbox();
  for (const key of Object.keys(SECTION_IDS)) {
    const kind = $(`#${SECTION_IDS[key][0]}`).dataset.state;
    if (kind === 'loading' || kind === 'none') setSectionState(key, kind);
  }
  if (state.dryRun) renderDryRun();
  if (state.lastReload) renderReload(state.lastReload);
}

function reasonText(reason) {
  if (!reason) return '';
  if (typeof reason === 'string') return reason;
  return reason[getLang()] || reason.nl || Object.values(reason).find((v) => typeof v === 'string') || '';
}

function desksText(desks) {
  const n = Number(desks) || 0;
  return n === 0 ? t('admin.closures.closed') : tn('admin.closures.fewerDesks', n);
}

/** What the admin chose for the appointments a closure affected: cancel, keep, or (none affected) nothing. */
function choiceText(choice) {
  return choice === 'cancel' || choice === 'keep' ? t(`admin.closures.choice.${choice}`) : '—';
}

function renderClosures() {
  const list = [...(state.closures || [])].sort((a, b) => byInstant(a.from, b.from));
  if (!list.length) return setSectionState('closures', 'empty');
  setSectionState('closures', 'ready');
  $('#closures-list').replaceChildren(...list.map((c) => h('tr', {'data-testid': `closure-${c.id}`},
    h('td', {}, when(c.from)),
    h('td', {}, when(c.to)),
    h('td', {}, desksText(c.desks)),
    h('td', {}, reasonText(c.reason) || '—'),
    h('td', {}, choiceText(c.affected)),
    h('td', {}, [when(c.createdAt), c.createdBy ? h('span', {class: 'muted small by'}, t('admin.closures.by', {name: c.createdBy})) : null]),
    h('td', {}, h('button', {type: 'button', class: 'btn btn-small', 'data-testid': `btn-lift-${c.id}`,
      'aria-label': t('admin.lift.buttonLabel', {range: range(c.from, c.to)}), onclick: () => openLift(c)}, t('admin.lift.button'))))));
  return undefined;
}

function renderWaitlist() {
  const entries = state.waitlist || [];
  if (!entries.length) {
    $('#waitlist-groups').replaceChildren();
    return setSectionState('waitlist', 'empty');
  }
  setSectionState('waitlist', 'ready');
  const tz = zoneOf();
  const groups = new Map();
  for (const e of entries) {
    if (!groups.has(e.service)) groups.set(e.service, []);
    groups.get(e.service).push(e);
  }
  const sorted = [...groups].sort(([a], [b]) => serviceName(a).localeCompare(serviceName(b), LOCALES[getLang()]));
  $('#waitlist-groups').replaceChildren(...sorted.map(([service, list]) => {
    list.sort((a, b) => (Number(a.position) || 0) - (Number(b.position) || 0));
    const waiting = list.filter((e) => e.status === 'waiting').length;
    const offers = list.filter((e) => e.offer);
    const headingId = `wl-${service}`;
    return h('section', {class: 'wl-group', 'aria-labelledby': headingId, 'data-testid': `waitlist-service-${service}`},
      h('h3', {id: headingId}, serviceName(service)),
      h('p', {'data-testid': `waitlist-count-${service}`},
        `${tn('admin.waitlist.waiting', waiting)} · ${tn('admin.waitlist.offers', offers.length)}`),
      h('div', {class: 'table-scroll'}, h('table', {class: 'table'},
        h('caption', {class: 'visually-hidden'}, t('admin.waitlist.caption', {service: serviceName(service)})),
        h('thead', {}, h('tr', {},
          h('th', {scope: 'col', class: 'num'}, t('admin.col.position')),
          h('th', {scope: 'col'}, t('admin.col.status')),
          h('th', {scope: 'col'}, t('admin.col.wanted')),
          h('th', {scope: 'col', class: 'num'}, t('admin.col.persons')),
          h('th', {scope: 'col'}, t('admin.col.joined')),
          h('th', {scope: 'col'}, t('admin.col.offer')))),
        h('tbody', {}, list.map((e) => h('tr', {'data-testid': `waitlist-entry-${e.id}`},
          h('td', {class: 'num'}, e.position == null ? '—' : String(e.position)),
          h('td', {}, statusText(e.status)),
          h('td', {}, `${dayOrWhen(e.from, tz)} – ${dayOrWhen(e.to, tz)}`),
          h('td', {class: 'num'}, String(e.persons ?? '—')),
          h('td', {}, when(e.joinedAt, tz)),
          h('td', {}, e.offer
            ? [range(e.offer.start, e.offer.end, tz), h('br'), h('span', {class: 'small'}, t('admin.waitlist.expires', {when: when(e.offer.expiresAt, tz)}))]
            : '—')))))));
  }));
  return undefined;
}

function statusText(s) {
  const key = `admin.waitlist.status.${s}`;
  const text = t(key);
  return text === key ? (s || '—') : text;
}

function kindText(k) {
  const key = `admin.outbox.kinds.${k}`;
  const text = t(key);
  return text === key ? (k || '—') : text;
}

function renderOutbox() {
  const list = state.outbox || [];
  if (!list.length) return setSectionState('outbox', 'empty');
  setSectionState('outbox', 'ready');
  $('#outbox-list').replaceChildren(...list.map((m) => h('tr', {'data-testid': `outbox-${m.id}`},
    h('td', {}, when(m.createdAt, DEFAULT_ZONE)),
    h('td', {}, kindText(m.kind)),
    h('td', {class: 'mono'}, m.reference || '—'),
    h('td', {class: 'num'}, String(m.attempts ?? '—')),
    h('td', {}, m.lastError || '—'))));
  return undefined;
}

/* ------------------------------------------------------------------ notices and errors */

/** Says text through the always-present live region (set anew, so the same words are heard again). */
function announce(text) {
  const el = $('#live');
  el.textContent = '';
  if (text) setTimeout(() => { el.textContent = text; }, 50);
}

/** The page's one status line, focused so a screen reader reads it and keyboard users land on it. */
function say(text, kind = 'info', {focus = false} = {}) {
  const el = $('#message');
  el.textContent = text || '';
  el.className = `notice${kind === 'error' ? ' notice-error' : kind === 'ok' ? ' notice-ok' : ''}`;
  el.hidden = !text;
  if (text && focus) focusEl(el);
}

function handleError(e, {quiet = false} = {}) {
  if (isAborted(e)) return;
  if (e?.status === 401) return signOut('admin.signIn.expired');
  if (e?.status === 403) return signOut('admin.signIn.wrongRole');
  if (isOutage(e)) $('#offline').hidden = false;
  if (!quiet) say(problemText(e, {texts: 'admin.err'}), 'error', {focus: true});
}

async function run(button, fn) {
  if (state.pending) return;
  state.pending = true;
  const buttons = [...document.querySelectorAll('#view-admin button, #lift-dialog button')];
  for (const b of buttons) b.dataset.wasDisabled = b.disabled ? '1' : '';
  for (const b of buttons) b.disabled = true;
  if (button) button.setAttribute('aria-busy', 'true');
  try {
    await fn();
    $('#offline').hidden = true;
  } catch (e) {
    handleError(e);
  } finally {
    state.pending = false;
    for (const b of buttons) if (b.isConnected && b.dataset.wasDisabled !== '1') b.disabled = false;
    if (button) button.removeAttribute('aria-busy');
  }
}

/* ------------------------------------------------------------------ closures: check, choose, close */

const FIELDS = ['from', 'to', 'desks', 'reason'];

function clearFieldErrors() {
  for (const f of FIELDS) {
    const err = $(`#${f}-error`);
    err.textContent = '';
    err.hidden = true;
  }
  for (const id of ['from-date', 'from-time', 'to-date', 'to-time', 'desks', 'reason']) $(`#${id}`).setAttribute('aria-invalid', 'false');
  $('#closure-errors').hidden = true;
  $('#closure-errors').replaceChildren();
}

/** Shows field errors {from|to|desks|reason|other: message} and a summary that links to each field. */
function showFieldErrors(errors) {
  const inputs = {from: ['from-date', 'from-time'], to: ['to-date', 'to-time'], desks: ['desks'], reason: ['reason']};
  const items = [];
  for (const [field, message] of Object.entries(errors)) {
    if (inputs[field]) {
      const err = $(`#${field}-error`);
      err.textContent = message;
      err.hidden = false;
      for (const id of inputs[field]) $(`#${id}`).setAttribute('aria-invalid', 'true');
      items.push(h('li', {}, h('a', {href: `#${inputs[field][0]}`, onclick: (ev) => { ev.preventDefault(); $(`#${inputs[field][0]}`).focus(); }}, message)));
    } else {
      items.push(h('li', {}, message));
    }
  }
  const box = $('#closure-errors');
  box.replaceChildren(h('p', {class: 'summary-title'}, t('admin.closures.fixErrors')), h('ul', {}, items));
  box.hidden = false;
  box.setAttribute('tabindex', '-1');
  focusEl(box);
}

/** The closure as the form describes it, or {errors}. */
function readForm() {
  const tz = zoneOf();
  const errors = {};
  const from = zonedIso($('#from-date').value, $('#from-time').value, tz);
  const to = zonedIso($('#to-date').value, $('#to-time').value, tz);
  if (!from) errors.from = t('admin.closures.errFrom');
  if (!to) errors.to = t('admin.closures.errTo');
  if (from && to && Date.parse(to) <= Date.parse(from)) errors.to = t('admin.closures.errOrder');
  const desksText = $('#desks').value.trim();
  const desks = desksText === '' ? 0 : Number(desksText);
  if (!Number.isInteger(desks) || desks < 0 || desks > 99) errors.desks = t('admin.closures.errDesks');
  if (Object.keys(errors).length) return {errors};
  const body = {location: state.locationId, from, to, desks};
  const main = $('#reason').value.trim();
  const per = {fr: $('#reason-fr').value.trim(), en: $('#reason-en').value.trim(), de: $('#reason-de').value.trim()};
  if (main || per.fr || per.en || per.de) {
    const base = main || per.en || per.fr || per.de;
    body.reason = Object.fromEntries(LANGS.map((l) => [l, (l === 'nl' ? main : per[l]) || base]));
  }
  return {body};
}

/** Turns a 422's fields (from, to, desks, reason, location, …) into the form's messages. */
function serverFieldErrors(e) {
  const out = {};
  for (const [k, v] of Object.entries(e.fields || {})) {
    const field = k.startsWith('reason') ? 'reason' : k;
    const known = hasText(`admin.closures.field.${field}`);
    out[known ? field : `other:${k}`] = `${t(`admin.closures.field.${known ? field : 'other'}`)}: ${v}`;
  }
  if (!Object.keys(out).length) out.other = problemText(e, {texts: 'admin.err'});
  return out;
}

function clearDryRun() {
  state.dryRun = null;
  $('#dryrun').hidden = true;
}

async function check(ev) {
  ev?.preventDefault();
  if (state.pending || !state.locationId) return;
  clearFieldErrors();
  clearDryRun();
  say('');
  const {body, errors} = readForm();
  if (errors) return showFieldErrors(errors);
  await run($('#btn-check'), () => dryRun(body));
  return undefined;
}

async function dryRun(body, note) {
  try {
    const res = await api('/admin/closures', {method: 'POST', token: state.token, body: {...body, dryRun: true}});
    state.dryRun = {body, affected: Array.isArray(res?.affected) ? res.affected : []};
  } catch (e) {
    return closureError(e);
  }
  renderDryRun(note);
  focusEl($('#dryrun-title'));
  announce($('#dryrun-summary').textContent);
  return undefined;
}

function renderDryRun(note) {
  const {body, affected} = state.dryRun;
  const n = affected.length;
  const tz = zoneOf(body.location);
  $('#dryrun-title').textContent = n ? tn('admin.closures.affected', n) : t('admin.closures.noneAffected');
  const summary = t('admin.closures.summary', {location: locationName(body.location), range: range(body.from, body.to, tz), desks: desksText(body.desks)});
  $('#dryrun-summary').textContent = note ? `${note} ${summary}` : summary;
  $('#dryrun-table').hidden = n === 0;
  const sorted = [...affected].sort((a, b) => byInstant(a.start, b.start));
  $('#dryrun-list').replaceChildren(...sorted.map((a) => h('tr', {'data-testid': `affected-${a.reference}`},
    h('td', {class: 'mono'}, a.reference || '—'),
    h('td', {}, a.end ? range(a.start, a.end, tz) : when(a.start, tz)),
    h('td', {}, serviceName(a.service)),
    h('td', {class: 'num'}, String(a.persons ?? '—')))));
  $('#btn-close-cancel').textContent = tn('admin.closures.closeCancel', n);
  $('#btn-close-cancel').hidden = n === 0;
  $('#btn-close-keep').hidden = n === 0;
  $('#btn-close-plain').hidden = n !== 0;
  $('#dryrun').hidden = false;
}

function close(choice) {
  if (!state.dryRun) return;
  const {body, affected} = state.dryRun;
  const send = affected.length ? {...body, affected: choice} : {...body};
  run($(choice === 'keep' ? '#btn-close-keep' : choice === 'cancel' ? '#btn-close-cancel' : '#btn-close-plain'), async () => {
    let res;
    try {
      res = await api('/admin/closures', {method: 'POST', token: state.token, body: send});
    } catch (e) {
      if (e?.status === 409 && e.code === 'affected_choice_required') {
        // The appointments changed since the check: show the list the server sent (or check
        // again) and let the admin choose anew.
        const list = e.problem?.affected;
        if (!Array.isArray(list)) return dryRun(body, t('admin.closures.changedSince'));
        state.dryRun = {body, affected: list};
        renderDryRun(t('admin.closures.changedSince'));
        focusEl($('#dryrun-title'));
        announce($('#dryrun-summary').textContent);
        return undefined;
      }
      return closureError(e);
    }
    clearDryRun();
    const cancelled = Array.isArray(res?.cancelled) ? res.cancelled.length : 0;
    const kept = Array.isArray(res?.kept) ? res.kept.length : 0;
    const parts = [t('admin.closures.done', {location: locationName(res?.location || body.location),
      range: range(res?.from || body.from, res?.to || body.to, zoneOf(body.location))})];
    if (cancelled) parts.push(tn('admin.closures.doneCancelled', cancelled));
    if (kept) parts.push(tn('admin.closures.doneKept', kept));
    say(parts.join(' '), 'ok', {focus: true});
    $('#reason').value = '';
    for (const l of ['fr', 'en', 'de']) $(`#reason-${l}`).value = '';
    loadClosures();
    loadWaitlist();
    return undefined;
  });
}

function closureError(e) {
  if (e?.status === 401 || e?.status === 403 || isOutage(e)) throw e;
  // The checked closure cannot be made as it is: the choice goes, the reason stays.
  clearDryRun();
  if (e?.status === 422 && e.fields) return showFieldErrors(serverFieldErrors(e));
  if (e?.code === 'unknown_location') loadLocations();
  say(problemText(e, {texts: 'admin.err'}), 'error', {focus: true});
  return undefined;
}

/* ------------------------------------------------------------------ lift */

function openLift(c) {
  if (state.pending) return;
  state.lift = c;
  $('#lift-text').textContent = t('admin.lift.text', {location: locationName(c.location || state.locationId), range: range(c.from, c.to)});
  $('#lift-error').hidden = true;
  $('#lift-dialog').showModal();
  focusEl($('#lift-title'));
}

async function confirmLift(ev) {
  ev.preventDefault();
  const c = state.lift;
  if (!c) return $('#lift-dialog').close();
  await run($('#lift-confirm'), async () => {
    try {
      await api(`/admin/closures/${seg(c.id)}`, {method: 'DELETE', token: state.token});
    } catch (e) {
      if (e?.status === 401 || e?.status === 403 || isOutage(e)) {
        $('#lift-dialog').close();
        throw e;
      }
      $('#lift-error').textContent = problemText(e, {texts: 'admin.err'});
      $('#lift-error').hidden = false;
      return;
    }
    $('#lift-dialog').close();
    state.lift = null;
    say(t('admin.lift.done', {range: range(c.from, c.to)}), 'ok', {focus: true});
    loadClosures();
    loadWaitlist();
  });
  return undefined;
}

/* ------------------------------------------------------------------ reload */

function reload() {
  run($('#btn-reload'), async () => {
    let res;
    try {
      res = await api('/admin/reload', {method: 'POST', token: state.token, timeout: 60000});
    } catch (e) {
      if (e?.status === 401 || e?.status === 403 || isOutage(e)) throw e;
      state.lastReload = {error: e};
      renderReload(state.lastReload);
      focusEl($('#reload-result'));
      announce($('#reload-summary').textContent);
      return;
    }
    state.lastReload = {ok: res || {}};
    renderReload(state.lastReload);
    focusEl($('#reload-result'));
    announce($('#reload-summary').textContent);
    // The config may name other locations, services and hours now.
    state.servicesLang = null;
    await Promise.all([loadLocations(), loadServices()]);
    if (state.lastReload) renderReload(state.lastReload);
  });
}

function renderReload({ok, error}) {
  const box = $('#reload-result');
  const summary = $('#reload-summary');
  const errs = $('#reload-errors');
  const orphanedList = $('#reload-orphaned');
  box.hidden = false;
  errs.hidden = true;
  orphanedList.hidden = true;
  if (error) {
    const list = Array.isArray(error.problem?.errors) ? error.problem.errors : [];
    box.className = 'reload-result notice notice-error';
    if (error.status === 409) summary.textContent = t('admin.reload.running');
    else if (list.length) summary.textContent = tn('admin.reload.failed', list.length);
    else summary.textContent = `${t('admin.reload.failedOther')} ${problemText(error, {texts: 'admin.err'})}`;
    errs.replaceChildren(...list.map((x) => h('li', {'data-testid': 'reload-error'},
      `${x.file ?? '?'}:${x.line ?? '?'}:${x.column ?? '?'} ${x.message ?? ''}`)));
    errs.hidden = list.length === 0;
    return;
  }
  const orphaned = Array.isArray(ok.orphaned) ? ok.orphaned : [];
  box.className = `reload-result notice ${orphaned.length ? 'notice-warn' : 'notice-ok'}`;
  summary.textContent = orphaned.length ? `${t('admin.reload.done')} ${tn('admin.reload.orphaned', orphaned.length)}` : t('admin.reload.done');
  const sorted = [...orphaned].sort((a, b) => byInstant(a.start, b.start));
  orphanedList.replaceChildren(...sorted.map((o) => h('li', {'data-testid': `orphaned-${o.reference}`},
    h('span', {class: 'mono'}, o.reference || '—'), ` · ${when(o.start, zoneOf(o.location))} · ${serviceName(o.service)} · ${locationName(o.location)}`)));
  orphanedList.hidden = orphaned.length === 0;
}

/* ------------------------------------------------------------------ wiring */

function wire() {
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#token-input').value.trim();
    if (!v) return auth.show('admin.signIn.empty');
    auth.signIn(v, {remember: $('#remember').checked});
    return undefined;
  });
  $('#btn-sign-out').addEventListener('click', () => signOut());
  $('#select-location').addEventListener('change', (e) => {
    state.loadGen += 1;
    say('');
    selectLocation(e.target.value);
  });

  $('#closure-form').addEventListener('submit', check);
  // A check is only good for the closure it checked: any change to the form asks for a new one.
  $('#closure-form').addEventListener('input', () => { if (state.dryRun) clearDryRun(); });
  $('#btn-close-cancel').addEventListener('click', () => close('cancel'));
  $('#btn-close-keep').addEventListener('click', () => close('keep'));
  $('#btn-close-plain').addEventListener('click', () => close(null));
  $('#btn-dryrun-back').addEventListener('click', () => { clearDryRun(); $('#from-date').focus(); });
  $('#btn-closures-refresh').addEventListener('click', () => loadClosures());
  $('#btn-waitlist-refresh').addEventListener('click', () => loadWaitlist());
  $('#btn-outbox-refresh').addEventListener('click', () => loadOutbox());
  $('#btn-reload').addEventListener('click', reload);

  $('#lift-form').addEventListener('submit', confirmLift);
  $('#lift-cancel').addEventListener('click', () => $('#lift-dialog').close());
  $('#lift-dialog').addEventListener('close', () => {
    const c = state.lift;
    state.lift = null;
    const back = c && $(`[data-testid="btn-lift-${CSS.escape(String(c.id))}"]`);
    if (back) back.focus();
  });
}

boot().catch((e) => console.error('admin boot failed', e));
