/* Kiosk page — /kiosk/{location}
 *
 * Setup: open /kiosk/{location}?setup=TOKEN once (kiosk token; kept in localStorage per location,
 * dropped from the address bar). Optional: ?print=0 (stored) turns window.print() off, e.g. for
 * browser tests; ?lang=fr makes French the language the kiosk returns to after each visitor.
 *
 * data-testid:
 *   screen-loading, screen-setup, setup-reason, screen-start, screen-ticket, screen-message,
 *   screen-offline, busy, location-name, lang-switch, lang-nl, lang-fr, lang-en, lang-de,
 *   services, services-empty, category-<categoryId> (with ≤ 12 open services: a group of service
 *   buttons on the start screen; with more: a button that opens screen-category), service-<serviceId>,
 *   screen-category, category-title, category-services, btn-category-back,
 *   checkin-form, checkin-input, checkin-submit, checkin-error,
 *   search-input, search-results, search-service-<serviceId>, search-empty, search-closed,
 *   keyboard, key-<A..Z|0..9|dash|space|back|clear|enter>,
 *   ticket, ticket-number, ticket-service, ticket-position, ticket-wait, ticket-qr, ticket-issued, btn-done,
 *   message-title, message-text, btn-back
 */
import {api, apiUrl, seg, isAborted, isOutage, isNetworkError} from './api.js';
import {initI18n, setLang, getLang, t, tn, languageSwitcher, onLangChange, loadAllLangs, hasLang, LANGS, formatDate, isLang} from './i18n.js';
import {$, h, debounce, sleep, pathSegment, store, focusEl, wallTime, wallDate, clock} from './dom.js';
import {explainProblem} from './problems.js';
import {connectEvents} from './sse.js';

const IDLE_MS = 40_000;          // back to the start screen after this long without a touch
const TICKET_IDLE_MS = 25_000;   // … or this long after a ticket was shown
const REFRESH_MS = 60_000;       // open-now services
const HEALTH_MS = 5_000;         // poll while out of service
const HEARTBEAT_MS = 15_000;     // notice an outage even when nobody touches the screen
const FLAT_MAX = 12;             // up to this many open services: all on the start screen; more: categories first

const locationId = pathSegment(1);
const local = store('local');
const tokenKey = `loket.kiosk.token.${locationId}`;
const printKey = `loket.kiosk.print.${locationId}`;
const defaultLang = (() => {
  const l = new URLSearchParams(location.search).get('lang');
  return isLang(l) ? l : 'nl';
})();

/** Everything the kiosk knows; the render functions draw the screen from it. */
const state = {
  token: null,          // the kiosk token, from localStorage
  started: false,       // the start screen has been shown once (set-up done, server reached)
  screen: 'loading',    // which of SCREENS shows
  busy: false,          // a ticket or check-in request is on its way
  offline: false,       // the server cannot be reached: the out-of-service overlay shows
  locationName: '',
  catalogue: {cats: [], open: []},   // open-now walk-in services and the categories, current language
  servicesSig: '',      // what the service buttons were drawn from, to skip identical redraws
  category: null,       // category id while the category screen shows
  ticket: null,         // {ticket, checkin} while the ticket screen shows
  message: null,        // {problem, service, reference} while the message screen shows
  kbTarget: null,       // the field the on-screen keyboard types into
  search: null,         // AbortController of the search on its way
  timers: {idle: null, refresh: null, health: null, heartbeat: null},
};

/* ------------------------------------------------------------------ setup & boot */

function takeSetupParams() {
  const params = new URLSearchParams(location.search);
  const setup = params.get('setup');
  const print = params.get('print');
  if (setup !== null || print !== null) {
    if (setup && setup.trim()) local.set(tokenKey, setup.trim());
    if (print !== null) local.set(printKey, print === '0' || print === 'false' ? '0' : '1');
    params.delete('setup');
    params.delete('print');
    const qs = params.toString();
    history.replaceState(null, '', location.pathname + (qs ? `?${qs}` : '') + location.hash);
  }
  return local.get(tokenKey);
}

async function boot() {
  state.token = takeSetupParams();
  await initI18n({fallback: defaultLang, persist: false, updateUrl: false, all: true});
  languageSwitcher($('#lang-switch'));
  buildKeyboard();
  wireEvents();
  onLangChange(onLanguage);
  await start();
}

/** Checks the server and the token, loads the location and services, shows the start screen. */
async function start() {
  if (!locationId) return showSetup('kiosk.setup.noLocation');
  if (!state.token) return showSetup('kiosk.setup.noToken');
  let stage = 'health';
  try {
    const health = await api('/health', {timeout: 5000});
    if (health?.now) clock.sync(health.now);
    if (!LANGS.every(hasLang)) await loadAllLangs();
    stage = 'me';
    const me = await api('/me', {token: state.token});
    if (!me || !['kiosk', 'admin'].includes(me.role)) return showSetup('kiosk.setup.wrongRole');
    stage = 'location';
    await loadLocation();
    await loadServices(true);
  } catch (e) {
    if (e.status === 401 || e.status === 403) return forgetToken();
    if (stage === 'location' && (e.code === 'unknown_location' || e.status === 404)) return showSetup('kiosk.setup.noLocation');
    return goOffline();
  }
  setOffline(false);
  state.started = true;
  resetToStart();
  clearInterval(state.timers.refresh);
  state.timers.refresh = setInterval(() => loadServices(false).catch(handleBackgroundError), REFRESH_MS);
  // A runtime closure (added or lifted) changes which services are open now: reload them at once.
  closureEvents ??= connectEvents(apiUrl(`/locations/${seg(locationId)}/events`), {
    handlers: {closure: () => { if (state.started) loadServices(false).catch(handleBackgroundError); }},
  });
  clearInterval(state.timers.heartbeat);
  state.timers.heartbeat = setInterval(() => {
    if (!state.offline && !state.busy) api('/health', {timeout: 5000}).then((hl) => hl?.now && clock.sync(hl.now), handleBackgroundError);
  }, HEARTBEAT_MS);
}

function showSetup(reasonKey) {
  $('#setup-reason').dataset.i18n = reasonKey;
  $('#setup-reason').textContent = t(reasonKey);
  $('#setup-example').textContent = `${location.origin}/kiosk/${locationId || '{location}'}?setup=TOKEN`;
  setOffline(false);
  showScreen('setup');
}

async function loadLocation() {
  const list = await api('/locations', {query: {lang: getLang()}});
  const loc = Array.isArray(list) ? list.find((l) => l.id === locationId) : null;
  if (!loc) {
    throw Object.assign(new Error('unknown location'), {status: 404, code: 'unknown_location'});
  }
  state.locationName = loc.name || locationId;
  $('#location-name').textContent = state.locationName;
}

/* ------------------------------------------------------------------ out of service */

function setOffline(on) {
  state.offline = on;
  $('#screen-offline').hidden = !on;
  if (!on) {
    clearTimeout(state.timers.health);
    state.timers.health = null;
  }
}

function goOffline() {
  setBusy(false);
  setOffline(true);
  if (state.timers.health) return;
  const poll = async () => {
    state.timers.health = null;
    try {
      await api('/health', {timeout: 4000});
      await start();           // recovers (and clears offline) or goes offline again
    } catch {
      if (state.offline && !state.timers.health) state.timers.health = setTimeout(poll, HEALTH_MS);
    }
  };
  state.timers.health = setTimeout(poll, HEALTH_MS);
}

function handleBackgroundError(e) {
  if (isOutage(e)) goOffline();
  else if (e?.status === 401 || e?.status === 403) forgetToken();
}

/** The server refused the stored token: forget it and show how to set the kiosk up. */
function forgetToken() {
  local.remove(tokenKey);
  state.token = null;
  showSetup('kiosk.setup.badToken');
}

/* ------------------------------------------------------------------ services */

const categoriesCache = new Map();   // lang → [{id,name}]

async function loadServices(force) {
  const lang = getLang();
  const [cats, services] = await Promise.all([
    categoriesCache.has(lang)
      ? categoriesCache.get(lang)
      : api('/categories', {query: {lang}}).then((c) => { categoriesCache.set(lang, c || []); return c || []; }),
    api('/services', {query: {location: locationId, channel: 'walkin', lang}}),
  ]);
  if (lang !== getLang()) return;  // language changed meanwhile; a newer load follows
  const open = (services || []).filter(isOpenForWalkIn);
  const sig = JSON.stringify([lang, open.map((s) => [s.id, s.name, s.category])]);
  if (!force && sig === state.servicesSig) return;
  state.servicesSig = sig;
  state.catalogue = {cats: cats || [], open};
  renderServices();
  if (state.screen === 'category') renderCategory();
}

/** The location's live stream, opened once, for `closure` events. */
let closureEvents = null;

const isOpenForWalkIn = (s) => s.walkInOpenNow !== false && (!Array.isArray(s.channels) || s.channels.includes('walkin'));

/** Open services by category, in the catalogue's category order (unknown categories last). */
function groupByCategory() {
  const {cats, open} = state.catalogue;
  const groups = new Map();
  for (const sv of open) {
    if (!groups.has(sv.category)) groups.set(sv.category, []);
    groups.get(sv.category).push(sv);
  }
  const order = [...cats.map((c) => c.id).filter((id) => groups.has(id)), ...[...groups.keys()].filter((id) => !cats.some((c) => c.id === id))];
  return order.map((id) => {
    const list = groups.get(id);
    return {id, name: cats.find((c) => c.id === id)?.name || list[0].categoryName || t('kiosk.otherServices'), list};
  });
}

/** Few services: all of them as big buttons, grouped. Many: one big button per category. */
function renderServices() {
  const groups = groupByCategory();
  let nodes;
  if (state.catalogue.open.length <= FLAT_MAX) {
    nodes = groups.map((g) => {
      const headingId = `cat-${String(g.id).replace(/[^\w-]/g, '_')}`;
      return h('section', {class: 'svc-group', 'data-testid': `category-${g.id}`, 'aria-labelledby': headingId},
        h('h2', {id: headingId}, g.name),
        h('div', {class: 'svc-grid'}, g.list.map((sv) => serviceButton(sv, 'service-'))));
    });
  } else {
    nodes = [h('div', {class: 'cat-grid'}, groups.map((g) => h('button', {
      type: 'button',
      class: 'svc-btn',
      'data-testid': `category-${g.id}`,
      onclick: () => showCategory(g.id),
    }, h('span', {}, g.name, h('span', {class: 'svc-count'}, tn('kiosk.servicesCount', g.list.length))))))];
  }
  $('#services').replaceChildren(...nodes);
  $('#services-empty').hidden = state.catalogue.open.length > 0;
}

function showCategory(id) {
  state.category = id;
  renderCategory();
  showScreen('category');
}

function renderCategory() {
  const g = groupByCategory().find((x) => x.id === state.category);
  if (!g) {
    // The category has nothing open any more (closing time): back to the start.
    if (state.screen === 'category') showScreen('start');
    return;
  }
  $('#category-title').textContent = g.name;
  $('#category-services').replaceChildren(...g.list.map((sv) => serviceButton(sv, 'service-')));
}

function serviceButton(s, testPrefix, extraClass = '') {
  return h('button', {
    type: 'button',
    class: `svc-btn ${extraClass}`.trim(),
    'data-testid': `${testPrefix}${s.id}`,
    onclick: () => issueTicket(s),
  }, h('span', {}, s.name));
}

/* ------------------------------------------------------------------ walk-in ticket */

async function issueTicket(service) {
  if (state.busy) return;
  setBusy(true);
  try {
    const ticket = await api('/tickets', {method: 'POST', token: state.token, query: {lang: getLang()}, body: {location: locationId, service: service.id, lang: getLang()}});
    showTicket(ticket, false);
  } catch (e) {
    handleActionError(e, service);
  } finally {
    setBusy(false);
  }
}

/* ------------------------------------------------------------------ check-in */

/** Accepts "k7m3qx", " K7M-3QX ", or a scanned manage link ".../book?ref=K7M-3QX&token=...". */
export function normalizeReference(raw) {
  let s = String(raw || '').trim();
  const m = /[?&]ref=([^&#\s]+)/i.exec(s);
  if (m) {
    try { s = decodeURIComponent(m[1]); } catch { s = m[1]; }
  }
  s = s.toUpperCase().replace(/\s+/g, '');
  if (/^[A-Z0-9]{6}$/.test(s)) s = `${s.slice(0, 3)}-${s.slice(3)}`;
  return s;
}

async function checkIn(ev) {
  ev.preventDefault();
  if (state.busy) return;
  const input = $('#checkin-input');
  const reference = normalizeReference(input.value);
  if (!reference) {
    showFieldError(t('kiosk.checkin.empty'));
    input.focus();
    return;
  }
  showFieldError('');
  setBusy(true);
  try {
    const ticket = await api('/checkins', {method: 'POST', token: state.token, query: {lang: getLang()}, body: {reference, location: locationId}});
    input.value = '';
    showTicket(ticket, true);
  } catch (e) {
    input.value = '';   // the message repeats the code; a next scan must not be appended to it
    handleActionError(e, null, reference);
  } finally {
    setBusy(false);
  }
}

function showFieldError(text) {
  const el = $('#checkin-error');
  el.textContent = text;
  el.hidden = !text;
  $('#checkin-input').setAttribute('aria-invalid', text ? 'true' : 'false');
}

/* ------------------------------------------------------------------ errors in plain words */

// A walk-in refused for one of these means the service list on screen is stale.
const STALE_LIST = new Set(['service_closed', 'unknown_service', 'validation_failed']);

function handleActionError(e, service, reference) {
  if (isAborted(e)) return;
  if (isOutage(e)) return goOffline();
  if (e.status === 401 || e.status === 403) return forgetToken();
  if (service && STALE_LIST.has(e.code)) loadServices(true).catch(handleBackgroundError);
  state.message = {problem: e, service: service?.name || '', reference: reference || ''};
  renderMessage();
  showScreen('message');
}

function renderMessage() {
  if (!state.message) return;
  const {problem, service, reference} = state.message;
  const {title, lines} = explainProblem(problem, {texts: 'kiosk.err', service, reference});
  $('#message-title').textContent = title;
  $('#message-text').replaceChildren(...lines.map((l) => h('p', {}, l)));
}

/* ------------------------------------------------------------------ ticket screen */

function showTicket(ticket, checkin) {
  state.ticket = {ticket, checkin};
  renderTicket();
  showScreen('ticket');
  printTicket();
}

function renderTicket() {
  if (!state.ticket) return;
  const {ticket, checkin} = state.ticket;
  $('#ticket-location').textContent = state.locationName;
  $('#ticket-heading').textContent = t(checkin ? 'kiosk.ticket.checkedIn' : 'kiosk.ticket.heading');
  $('#ticket-number').textContent = ticket.number || '';
  $('#ticket-service').textContent = ticket.serviceName || '';
  const pos = Number(ticket.position);
  $('#ticket-position').textContent = Number.isFinite(pos) && pos > 0 ? t('kiosk.ticket.position', {n: pos}) : '';
  const wait = Number(ticket.estimatedWaitMinutes);
  // Before any counter serving it opens: when they open, never "very soon".
  $('#ticket-wait').textContent = ticket.countersOpen === false
    ? (ticket.opensAt ? t('kiosk.ticket.opensAt', {time: wallTime(ticket.opensAt)}) : t('kiosk.ticket.notOpen'))
    : !Number.isFinite(wait) || ticket.estimatedWaitMinutes === null
      ? ''
      : wait <= 1 ? t('kiosk.ticket.waitNone') : t('kiosk.ticket.wait', {n: wait});
  const statusUrl = new URL(ticket.statusUrl || `/t/${seg(ticket.id)}`, location.origin).href;
  const qr = $('#ticket-qr');
  const src = apiUrl('/qr.svg', {data: statusUrl});
  if (qr.getAttribute('src') !== src) qr.src = src;
  qr.alt = t('kiosk.ticket.qrAlt');
  const issued = ticket.issuedAt;
  $('#ticket-issued').textContent = issued
    ? `${formatDate(wallDate(issued), {day: 'numeric', month: 'numeric', year: 'numeric'})} ${wallTime(issued)}`
    : '';
}

async function printTicket() {
  if (local.get(printKey) === '0') return;
  const img = $('#ticket-qr');
  try {
    await Promise.race([img.decode(), sleep(2500)]);
  } catch { /* print without the QR code rather than not at all */ }
  if (state.screen === 'ticket') window.print();
}

/* ------------------------------------------------------------------ search */

const runSearch = debounce(async () => {
  const q = $('#search-input').value.trim();
  state.search?.abort();
  const box = $('#search-results');
  if (q.length < 2) {
    box.replaceChildren();
    return;
  }
  state.search = new AbortController();
  try {
    const list = await api('/services', {query: {q, location: locationId, channel: 'walkin', lang: getLang()}, signal: state.search.signal});
    renderSearch(Array.isArray(list) ? list : []);
  } catch (e) {
    if (isAborted(e)) return;
    if (isOutage(e)) return goOffline();
    box.replaceChildren(h('p', {class: 'notice notice-error'}, t('kiosk.search.failed')));
  }
}, 300);

function renderSearch(list) {
  const open = list.filter(isOpenForWalkIn).slice(0, 8);
  const closed = list.filter((s) => !isOpenForWalkIn(s)).slice(0, 5);
  const nodes = open.map((s) => serviceButton(s, 'search-service-', 'svc-btn-secondary'));
  if (closed.length) {
    nodes.push(h('div', {class: 'notice notice-warn', 'data-testid': 'search-closed'},
      h('p', {}, t('kiosk.search.closed')),
      h('ul', {}, closed.map((s) => h('li', {}, s.name)))));
  }
  if (!open.length && !closed.length) {
    nodes.push(h('p', {class: 'notice', 'data-testid': 'search-empty'}, t('kiosk.search.none')));
  }
  $('#search-results').replaceChildren(...nodes);
}

/* ------------------------------------------------------------------ on-screen keyboard */

const KB_ROWS = ['1234567890', 'AZERTYUIOP', 'QSDFGHJKLM', 'WXCVBN-'];

function buildKeyboard() {
  const key = (value, label, testid, cls = '', i18nLabel = null) => h('button', {
    type: 'button',
    class: `osk-key ${cls}`.trim(),
    'data-key': value,
    'data-testid': `key-${testid}`,
    'data-i18n-attr': i18nLabel ? `aria-label:${i18nLabel}` : null,
    'aria-label': i18nLabel ? t(i18nLabel) : null,
  }, label);
  const rows = KB_ROWS.map((row) => h('div', {class: 'osk-row'},
    [...row].map((c) => key(c, c, c === '-' ? 'dash' : c))));
  rows.push(h('div', {class: 'osk-row'},
    key('clear', '✕', 'clear', '', 'kiosk.kb.clear'),
    key(' ', '␣', 'space', 'osk-wide', 'kiosk.kb.space'),
    key('back', '⌫', 'back', '', 'kiosk.kb.back'),
    key('enter', 'OK', 'enter', 'osk-enter', 'kiosk.kb.enter')));
  const kb = $('#keyboard');
  kb.replaceChildren(...rows);
  kb.setAttribute('role', 'group');
  kb.setAttribute('data-i18n-attr', 'aria-label:kiosk.kb.label');
  kb.setAttribute('aria-label', t('kiosk.kb.label'));
  // Keep the focus (and the caret) in the field while tapping keys.
  kb.addEventListener('pointerdown', (e) => { if (e.target.closest('.osk-key')) e.preventDefault(); });
  kb.addEventListener('click', (e) => {
    const btn = e.target.closest('.osk-key');
    if (btn) pressKey(btn.dataset.key);
  });
}

function pressKey(k) {
  const input = state.kbTarget;
  if (!input) return;
  if (k === 'enter') {
    if (input.id === 'checkin-input') $('#checkin-form').requestSubmit();
    input.focus({preventScroll: true});
    return;
  }
  if (k === 'back') input.value = input.value.slice(0, -1);
  else if (k === 'clear') input.value = '';
  else if (input.value.length < (input.maxLength > 0 ? input.maxLength : 200)) {
    input.value += input.id === 'search-input' ? k.toLowerCase() : k;
  }
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.focus({preventScroll: true});
}

/* ------------------------------------------------------------------ screens, idle, language */

const SCREENS = ['loading', 'setup', 'start', 'category', 'ticket', 'message'];

function showScreen(name, {focus = true} = {}) {
  state.screen = name;
  for (const s of SCREENS) $(`#screen-${s}`).hidden = s !== name;
  window.scrollTo(0, 0);
  if (focus) focusEl($(`#screen-${name} h1`));
  armIdle();
}

function armIdle() {
  clearTimeout(state.timers.idle);
  state.timers.idle = null;
  if (!state.started || state.screen === 'setup' || state.screen === 'loading') return;
  if (state.screen === 'start' && isPristine()) return;
  state.timers.idle = setTimeout(resetToStart, state.screen === 'ticket' ? TICKET_IDLE_MS : IDLE_MS);
}

function isPristine() {
  return getLang() === defaultLang && !$('#checkin-input').value && !$('#search-input').value
    && $('#keyboard').hidden && !$('#search-results').firstChild && window.scrollY === 0;
}

/** Forgets everything about the previous visitor and shows the start screen. */
function resetToStart() {
  clearTimeout(state.timers.idle);
  state.timers.idle = null;
  state.search?.abort();
  runSearch.cancel();
  state.ticket = null;
  state.message = null;
  state.category = null;
  for (const id of ['#checkin-input', '#search-input']) $(id).value = '';
  showFieldError('');
  $('#search-results').replaceChildren();
  for (const id of ['#ticket-number', '#ticket-service', '#ticket-position', '#ticket-wait', '#ticket-issued', '#ticket-heading']) $(id).textContent = '';
  $('#ticket-qr').removeAttribute('src');
  $('#message-title').textContent = '';
  $('#message-text').replaceChildren();
  $('#keyboard').hidden = true;
  document.body.classList.remove('osk-open');
  state.kbTarget = null;
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  if (getLang() !== defaultLang) setLang(defaultLang);
  state.screen = 'start';
  for (const s of SCREENS) $(`#screen-${s}`).hidden = s !== 'start';
  window.scrollTo(0, 0);
}

function onLanguage() {
  if (!state.started) {
    if (state.screen === 'setup') $('#setup-reason').textContent = t($('#setup-reason').dataset.i18n || 'kiosk.setup.noToken');
    return;
  }
  loadServices(true).catch(handleBackgroundError);
  loadLocation().catch(() => {});
  if ($('#search-input').value.trim().length >= 2) runSearch();
  if (state.screen === 'ticket') renderTicket();
  if (state.screen === 'message') renderMessage();
  armIdle();
}

function setBusy(on) {
  state.busy = on;
  $('#busy').hidden = !on;
}

function wireEvents() {
  $('#checkin-form').addEventListener('submit', checkIn);
  $('#search-form').addEventListener('submit', (e) => e.preventDefault());
  $('#search-input').addEventListener('input', runSearch);
  $('#checkin-input').addEventListener('input', () => { if (!$('#checkin-error').hidden) showFieldError(''); });
  $('#btn-done').addEventListener('click', resetToStart);
  $('#btn-category-back').addEventListener('click', () => {
    state.category = null;
    showScreen('start');
  });
  $('#btn-back').addEventListener('click', () => {
    state.message = null;
    showScreen(state.category ? 'category' : 'start');
  });

  for (const id of ['#checkin-input', '#search-input']) {
    $(id).addEventListener('focus', (e) => {
      state.kbTarget = e.target;
      $('#keyboard').hidden = false;
      document.body.classList.add('osk-open');
      // Keep the field in view above the docked keyboard.
      e.target.scrollIntoView({block: 'center'});
      armIdle();
    });
  }

  // Any activity postpones the idle reset.
  for (const type of ['pointerdown', 'keydown', 'input', 'wheel']) {
    document.addEventListener(type, armIdle, {capture: true, passive: true});
  }

  // A barcode/QR scanner types like a keyboard: send stray keystrokes on the start screen to
  // the check-in field, so a scan works without touching the field first.
  document.addEventListener('keydown', (e) => {
    if (state.screen !== 'start' || e.ctrlKey || e.altKey || e.metaKey || e.key.length !== 1 || !/\S/.test(e.key)) return;
    const a = document.activeElement;
    if (a && ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName)) return;
    $('#checkin-input').focus();
  });

  // No context menu, no pinch-zoom gestures on the kiosk glass.
  document.addEventListener('contextmenu', (e) => e.preventDefault());
}

boot().catch((e) => {
  console.error('kiosk boot failed', e);
  if (isNetworkError(e) || isOutage(e)) goOffline();
});
