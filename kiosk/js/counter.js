/* Counter (clerk) page — /counter
 *
 * Sign in with a clerk (or admin) token, checked with /api/v1/me; kept in sessionStorage, or in
 * localStorage when "remember" is ticked. Choose location and counter; open/pause/close; call next,
 * recall, start, finish, no-show, transfer. Live via the location's SSE stream.
 * Keyboard: N call next, R recall, S start, F finish, X no-show, T transfer (not while typing).
 *
 * data-testid:
 *   view-signin, token-input, remember, btn-sign-in, signin-error,
 *   view-desk, who-name, btn-sign-out, offline-indicator, lang-switch, lang-nl|fr|en|de,
 *   select-location, select-counter, counter-state, btn-open, btn-pause, btn-close, counter-message,
 *   current-empty, current-ticket, current-ticket-number, current-ticket-service, current-ticket-status,
 *   current-ticket-waited, current-ticket-origin, appointment-details, appointment-reference,
 *   appointment-name, appointment-time, appointment-items, appointment-email, appointment-phone,
 *   btn-call-next, btn-recall, btn-start, btn-finish, btn-no-show, btn-transfer,
 *   queue-by-service, queue-service-<serviceId>, queue-empty, queue-waiting, queue-ticket-<number>,
 *   counters-list, counter-<counterId>,
 *   transfer-dialog, transfer-kind-service, transfer-kind-counter, transfer-service-filter,
 *   transfer-service, transfer-counter, transfer-error, transfer-confirm, transfer-cancel
 */
import {api, seg, apiUrl, isAborted, isOutage} from './api.js';
import {initI18n, getLang, t, languageSwitcher, onLangChange} from './i18n.js';
import {$, h, debounce, store, focusEl, wallTime, clock} from './dom.js';
import {connectEvents} from './sse.js';
import {problemText} from './problems.js';

const TOKEN_KEY = 'loket.clerk.token';
const LOC_KEY = 'loket.counter.location';
const COUNTER_KEY = 'loket.counter.counter';
const REFRESH_MS = 30_000;
const FINAL = new Set(['done', 'no-show', 'cancelled', 'closed', 'transferred']);

const local = store('local');
const session = store('session');

/** Everything the desk knows; the render functions draw the page from it. */
const state = {
  token: null,          // the clerk's token
  me: null,             // who signed in (/me), null while signed out
  locations: [],
  locationId: null,     // the chosen location
  counters: [],         // the location's counters, each with its current ticket
  counterId: null,      // the counter this desk works at
  current: null,        // that counter's current ticket
  queue: {waiting: [], byService: []},
  services: null,       // for transfer, loaded on demand per location+language
  pending: false,       // an action is running: ignore more clicks/keys
  notice: null,         // {text, kind} under the actions: what the last action did
  stream: null,         // the location's event stream
  refreshTimer: null,
  refreshGen: 0,        // answers of a refresh that a newer one overtook are dropped
};

/* ------------------------------------------------------------------ sign in / out */

async function boot() {
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  onLangChange(() => { state.services = null; if (state.me) { renderAll(); loadLocations().catch(() => {}); } });
  wire();
  try {
    const health = await api('/health', {timeout: 5000});
    if (health?.now) clock.sync(health.now);
  } catch { /* the sign-in will say it */ }
  state.token = session.get(TOKEN_KEY) || local.get(TOKEN_KEY);
  $('#loading').hidden = true;
  if (state.token) await signIn(state.token, {silent: true});
  else showSignIn();
}

function showSignIn(errorKey, detail) {
  $('#view-desk').hidden = true;
  $('#who').hidden = true;
  $('#view-signin').hidden = false;
  const err = $('#token-error');
  err.textContent = errorKey ? t(errorKey, {detail: detail || ''}) : '';
  err.hidden = !errorKey;
  $('#token-input').setAttribute('aria-invalid', errorKey ? 'true' : 'false');
  $('#token-input').value = '';   // a hidden (password) value cannot be corrected, only retyped
  focusEl(errorKey ? $('#token-input') : $('#signin-title'));
}

async function signIn(candidate, {silent = false, remember = false} = {}) {
  try {
    const who = await api('/me', {token: candidate});
    if (!who || !['clerk', 'admin'].includes(who.role)) {
      forgetToken();
      return showSignIn('counter.signIn.wrongRole');
    }
    state.me = who;
    state.token = candidate;
    if (!silent) {
      forgetToken();
      (remember ? local : session).set(TOKEN_KEY, candidate);
    }
    $('#token-input').value = '';
    await enterDesk();
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      forgetToken();
      return showSignIn(silent ? 'counter.signIn.expired' : 'counter.signIn.invalid');
    }
    return showSignIn('counter.signIn.unreachable');
  }
  return undefined;
}

function forgetToken() {
  session.remove(TOKEN_KEY);
  local.remove(TOKEN_KEY);
}

function signOut(reasonKey) {
  forgetToken();
  state.token = null;
  state.me = null;
  state.current = null;
  state.stream?.close();
  state.stream = null;
  clearInterval(state.refreshTimer);
  showSignIn(reasonKey);
}

/* ------------------------------------------------------------------ location & counter */

async function enterDesk() {
  $('#view-signin').hidden = true;
  $('#view-desk').hidden = false;
  $('#who').hidden = false;
  $('#who-name').textContent = state.me.name || '';
  await loadLocations();
  focusEl($('#desk-title'));
  clearInterval(state.refreshTimer);
  state.refreshTimer = setInterval(() => refresh(), REFRESH_MS);
}

async function loadLocations() {
  try {
    state.locations = await api('/locations', {query: {lang: getLang()}}) || [];
  } catch (e) {
    return handleError(e);
  }
  const sel = $('#select-location');
  const keep = state.locationId || local.get(LOC_KEY);
  sel.replaceChildren(...state.locations.map((l) => h('option', {value: l.id}, l.name || l.id)));
  const chosen = state.locations.some((l) => l.id === keep) ? keep : state.locations[0]?.id;
  if (chosen) sel.value = chosen;
  if (chosen !== state.locationId) await selectLocation(chosen);
  return undefined;
}

async function selectLocation(id) {
  state.locationId = id || null;
  if (state.locationId) local.set(LOC_KEY, state.locationId);
  state.services = null;
  state.counters = [];
  state.queue = {waiting: [], byService: []};
  state.stream?.close();
  state.stream = null;
  if (!state.locationId) return renderAll();
  state.stream = connectEvents(apiUrl(`/locations/${seg(state.locationId)}/events`), {
    handlers: {queue: softRefresh, ticket: softRefresh, counter: softRefresh, called: softRefresh, recalled: softRefresh},
    onStatus: (online) => {
      $('#offline').hidden = online;
      if (online) softRefresh();
    },
  });
  await refresh({pickCounter: true});
  return undefined;
}

const softRefresh = debounce(() => refresh(), 250);

/** Reloads counters and queue for the location; ignores answers that a newer refresh overtook. */
async function refresh({pickCounter = false} = {}) {
  if (!state.locationId || !state.token) return;
  const gen = ++state.refreshGen;
  try {
    const [cs, q] = await Promise.all([
      api(`/locations/${seg(state.locationId)}/counters`, {token: state.token, query: {lang: getLang()}}),
      api(`/locations/${seg(state.locationId)}/queue`, {token: state.token, query: {lang: getLang()}}),
    ]);
    if (gen !== state.refreshGen) return;
    state.counters = Array.isArray(cs) ? cs : [];
    state.queue = q && typeof q === 'object' ? q : {waiting: [], byService: []};
    if (pickCounter || !state.counters.some((c) => c.id === state.counterId)) fillCounterSelect();
    state.current = selectedCounter()?.current || null;
    renderAll();
  } catch (e) {
    if (gen === state.refreshGen) handleError(e, {quiet: true});
  }
}

function fillCounterSelect() {
  const sel = $('#select-counter');
  const keep = state.counterId || local.get(COUNTER_KEY);
  sel.replaceChildren(...state.counters.map((c) => h('option', {value: c.id}, c.name || c.id)));
  state.counterId = state.counters.some((c) => c.id === keep) ? keep : state.counters[0]?.id || null;
  if (state.counterId) {
    sel.value = state.counterId;
    local.set(COUNTER_KEY, state.counterId);
  }
}

const selectedCounter = () => state.counters.find((c) => c.id === state.counterId) || null;

/* ------------------------------------------------------------------ rendering */

function stateText(s) {
  return ['open', 'paused', 'closed'].includes(s) ? t(`counter.state.${s}`) : (s || '—');
}

function ticketStatusText(s) {
  const key = `counter.ticketStatus.${s}`;
  const text = t(key);
  return text === key ? s : text;
}

function renderAll() {
  const c = selectedCounter();
  const st = c?.state || 'closed';
  const stateEl = $('#counter-state');
  stateEl.textContent = c ? stateText(st) : '—';
  stateEl.className = c ? `state-${st}` : '';
  renderCurrent();
  renderQueue();
  renderCounters();
  updateButtons();
}

function renderCurrent() {
  const tk = state.current && !FINAL.has(state.current.status) ? state.current : null;
  $('#current-empty').hidden = Boolean(tk);
  $('#current').hidden = !tk;
  if (!tk) return;
  $('#cur-number').textContent = tk.number || '';
  $('#cur-service').textContent = tk.serviceName || tk.service || '';
  $('#cur-status').textContent = ticketStatusText(tk.status);
  // waitingSince survives a transfer (the citizen keeps the original waiting time); else issuedAt.
  const since = tk.waitingSince || tk.issuedAt;
  const until = tk.calledAt ? Date.parse(tk.calledAt) : clock.nowMs();
  const waited = since ? Math.max(0, Math.round((until - Date.parse(since)) / 60000)) : null;
  $('#cur-waited').textContent = waited === null || Number.isNaN(waited) ? '—'
    : t('counter.current.waitedText', {minutes: waited, since: wallTime(since)});
  $('#cur-origin').textContent = t(tk.origin === 'appointment' ? 'counter.origin.appointment' : 'counter.origin.walkin');

  const a = tk.appointment;
  $('#appointment').hidden = !a;
  if (a) {
    $('#appt-reference').textContent = a.reference || '';
    $('#appt-name').textContent = a.name || '';
    $('#appt-time').textContent = a.start ? `${wallTime(a.start)}–${wallTime(a.end)}` : '';
    const items = Array.isArray(a.items) ? a.items : [];
    $('#appt-items').replaceChildren(...items.map((it) => h('div', {},
      `${it.serviceName || it.service}${it.persons > 1 ? ` × ${it.persons}` : ''}`)));
    $('#appt-email').textContent = a.email || '—';
    $('#appt-phone').textContent = a.phone || '—';
    // A video appointment: the clerk joins the citizen's own room (never shown on a display).
    $('#appt-meeting-label').hidden = !a.meetingUrl;
    $('#appt-meeting').hidden = !a.meetingUrl;
    if (a.meetingUrl) $('#appt-meeting-link').href = a.meetingUrl;
  }
}

function renderQueue() {
  const rows = (state.queue.byService || []).map((s) => h('tr', {'data-testid': `queue-service-${s.service}`},
    h('td', {}, s.name || s.service),
    h('td', {}, s.prefix || ''),
    h('td', {class: 'num'}, String(s.waiting ?? 0))));
  $('#queue-by-service').replaceChildren(...rows);
  const waiting = (state.queue.waiting || []).slice(0, 50);
  $('#queue-empty').hidden = waiting.length > 0;
  $('#queue-waiting').replaceChildren(...waiting.map((tk) => {
    const mins = clock.minutesSince(tk.waitingSince || tk.issuedAt);
    return h('li', {'data-testid': `queue-ticket-${tk.number}`},
      h('span', {class: 'q-number'}, tk.number || ''),
      h('span', {}, tk.serviceName || tk.service || ''),
      tk.origin === 'appointment' ? h('span', {class: 'badge'}, t('counter.origin.appointment')) : null,
      h('span', {class: 'q-wait'}, mins === null ? '' : t('counter.queue.minutes', {n: mins})));
  }));
}

function renderCounters() {
  $('#counters-list').replaceChildren(...state.counters.map((c) => h('li', {'data-testid': `counter-${c.id}`},
    h('span', {class: `c-name${c.id === state.counterId ? ' c-self' : ''}`}, `${t('counter.desk.counter')} ${c.name || c.id}`),
    h('span', {class: `state-${c.state}`}, stateText(c.state)),
    c.current && !FINAL.has(c.current.status) ? h('span', {}, `${c.current.number} · ${ticketStatusText(c.current.status)}`) : null)));
}

function updateButtons() {
  const c = selectedCounter();
  const st = c?.state;
  const tk = state.current && !FINAL.has(state.current.status) ? state.current : null;
  const s = tk?.status;
  const enable = {
    'btn-open': Boolean(c) && st !== 'open',
    'btn-pause': st === 'open',
    'btn-close': Boolean(c) && st !== 'closed',
    'btn-call-next': st === 'open' && !tk,
    'btn-recall': s === 'called',
    'btn-start': s === 'called',
    'btn-finish': s === 'called' || s === 'serving',
    'btn-no-show': s === 'called',
    'btn-transfer': s === 'called' || s === 'serving',
  };
  for (const [id, on] of Object.entries(enable)) $(`#${id}`).disabled = state.pending || !on;
}

/* ------------------------------------------------------------------ actions */

function say(text, kind = 'info') {
  state.notice = text ? {text, kind} : null;
  renderNotice();
}

function renderNotice() {
  const el = $('#message');
  const n = state.notice;
  el.textContent = n ? n.text : '';
  el.className = `notice${n?.kind === 'error' ? ' notice-error' : n?.kind === 'ok' ? ' notice-ok' : ''}`;
  el.hidden = !n;
}

async function run(fn) {
  if (state.pending) return;
  state.pending = true;
  updateButtons();
  try {
    await fn();
  } catch (e) {
    handleError(e);
  } finally {
    state.pending = false;
    updateButtons();
  }
}

function handleError(e, {quiet = false} = {}) {
  if (isAborted(e)) return;
  if (e?.status === 401) return signOut('counter.signIn.expired');
  if (isOutage(e)) {
    $('#offline').hidden = false;
    if (!quiet) say(problemText(e, {texts: 'counter.err'}), 'error');
    return;
  }
  if (quiet) return;
  say(problemText(e, {texts: 'counter.err'}), 'error');
  if (e?.status !== 403) softRefresh();   // the state changed under us: show what it is now
}

function counterAction(kind) {
  const c = selectedCounter();
  if (!c) return;
  run(async () => {
    const res = await api(`/counters/${seg(c.id)}/${kind}`, {method: 'POST', token: state.token, query: {lang: getLang()}});
    if (res && typeof res === 'object') {
      Object.assign(c, res);
      state.current = res.current || null;
    }
    say(t(`counter.msg.${kind}`, {counter: c.name || c.id}), 'ok');
    renderAll();
    softRefresh();
  });
}

function callNext() {
  const c = selectedCounter();
  if (!c) return;
  run(async () => {
    const tk = await api(`/counters/${seg(c.id)}/call-next`, {method: 'POST', token: state.token, query: {lang: getLang()}});
    if (!tk) {
      say(t('counter.msg.nobody'));
    } else {
      state.current = tk;
      c.current = tk;
      say(t('counter.msg.called', {number: tk.number}), 'ok');
    }
    renderAll();
    softRefresh();
  });
}

function ticketAction(action) {
  const tk = state.current;
  if (!tk) return;
  run(async () => {
    const res = await api(`/tickets/${seg(tk.id)}/${action}`, {method: 'POST', token: state.token, query: {lang: getLang()}});
    if (res && typeof res === 'object') state.current = res;
    const c = selectedCounter();
    if (c) c.current = state.current && !FINAL.has(state.current.status) ? state.current : null;
    say(t(`counter.msg.${action}`, {number: tk.number}), 'ok');
    renderAll();
    softRefresh();
  });
}

/* ------------------------------------------------------------------ transfer */

async function openTransfer() {
  if (!state.current || state.pending) return;
  const dlg = $('#transfer-dialog');
  $('#transfer-error').hidden = true;
  $('#transfer-service-filter').value = '';
  const others = state.counters.filter((c) => c.id !== state.counterId);
  $('#transfer-counter').replaceChildren(...others.map((c) =>
    h('option', {value: c.id}, `${t('counter.desk.counter')} ${c.name || c.id} (${stateText(c.state)})`)));
  $('#transfer-kind-counter').disabled = others.length === 0;
  if (!state.services) {
    try {
      state.services = await api('/services', {query: {location: state.locationId, lang: getLang()}}) || [];
    } catch (e) {
      handleError(e);
      return;
    }
  }
  fillServiceOptions('');
  setTransferKind($('#transfer-kind-counter').checked && others.length ? 'counter' : 'service');
  dlg.showModal();
  focusEl($('#transfer-title'));
}

function fillServiceOptions(filter) {
  const norm = (s) => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const f = norm(filter.trim());
  const list = (state.services || []).filter((s) => s.id !== state.current?.service && (!f || norm(s.name).includes(f) || norm(s.categoryName).includes(f)));
  const groups = new Map();
  for (const s of list.slice(0, 300)) {
    const g = s.categoryName || s.category || '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(s);
  }
  const sel = $('#transfer-service');
  sel.replaceChildren(...[...groups].map(([g, items]) => h('optgroup', {label: g},
    items.map((s) => h('option', {value: s.id}, s.name)))));
  if (sel.options.length) sel.selectedIndex = 0;
}

function setTransferKind(kind) {
  $(kind === 'counter' ? '#transfer-kind-counter' : '#transfer-kind-service').checked = true;
  $('#transfer-service-box').hidden = kind !== 'service';
  $('#transfer-counter-box').hidden = kind !== 'counter';
}

async function submitTransfer(ev) {
  ev.preventDefault();
  const tk = state.current;
  if (!tk) return $('#transfer-dialog').close();
  const kind = $('#transfer-kind-counter').checked ? 'counter' : 'service';
  const value = $(kind === 'counter' ? '#transfer-counter' : '#transfer-service').value;
  const err = $('#transfer-error');
  if (!value) {
    err.textContent = t(kind === 'counter' ? 'counter.transfer.chooseCounter' : 'counter.transfer.chooseService');
    err.hidden = false;
    return undefined;
  }
  const target = kind === 'counter'
    ? `${t('counter.desk.counter')} ${state.counters.find((c) => c.id === value)?.name || value}`
    : (state.services || []).find((s) => s.id === value)?.name || value;
  await run(async () => {
    try {
      await api(`/tickets/${seg(tk.id)}/transfer`, {method: 'POST', token: state.token, query: {lang: getLang()}, body: {[kind]: value}});
    } catch (e) {
      if (e.status === 401 || isOutage(e)) {
        $('#transfer-dialog').close();
        throw e;
      }
      err.textContent = problemText(e, {texts: 'counter.err'});
      err.hidden = false;
      return;
    }
    $('#transfer-dialog').close();
    state.current = null;
    const c = selectedCounter();
    if (c) c.current = null;
    say(t('counter.msg.transferred', {number: tk.number, target}), 'ok');
    renderAll();
    softRefresh();
  });
  return undefined;
}

/* ------------------------------------------------------------------ wiring & shortcuts */

function wire() {
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#token-input').value.trim();
    if (!v) return showSignIn('counter.signIn.empty');
    signIn(v, {remember: $('#remember').checked});
    return undefined;
  });
  $('#btn-sign-out').addEventListener('click', () => signOut());

  $('#select-location').addEventListener('change', (e) => { state.counterId = null; selectLocation(e.target.value); });
  $('#select-counter').addEventListener('change', (e) => {
    state.counterId = e.target.value;
    local.set(COUNTER_KEY, state.counterId);
    state.current = selectedCounter()?.current || null;
    say('');
    renderAll();
  });

  $('#btn-open').addEventListener('click', () => counterAction('open'));
  $('#btn-pause').addEventListener('click', () => counterAction('pause'));
  $('#btn-close').addEventListener('click', () => counterAction('close'));
  $('#btn-call-next').addEventListener('click', callNext);
  $('#btn-recall').addEventListener('click', () => ticketAction('recall'));
  $('#btn-start').addEventListener('click', () => ticketAction('start'));
  $('#btn-finish').addEventListener('click', () => ticketAction('finish'));
  $('#btn-no-show').addEventListener('click', () => ticketAction('no-show'));
  $('#btn-transfer').addEventListener('click', openTransfer);

  $('#transfer-form').addEventListener('submit', submitTransfer);
  $('#transfer-cancel').addEventListener('click', () => $('#transfer-dialog').close());
  $('#transfer-kind-service').addEventListener('change', () => setTransferKind('service'));
  $('#transfer-kind-counter').addEventListener('change', () => setTransferKind('counter'));
  $('#transfer-service-filter').addEventListener('input', (e) => fillServiceOptions(e.target.value));

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || $('#view-desk').hidden) return;
    if ($('#transfer-dialog').open) return;
    const el = e.target;
    if (el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))) return;
    const btn = document.querySelector(`.actions [data-key="${CSS.escape(e.key.toLowerCase())}"]`);
    if (btn && !btn.disabled) {
      e.preventDefault();
      btn.click();
    }
  });

  // Waiting times in the lists age while nothing else happens.
  setInterval(() => { if (state.me) { renderQueue(); renderCurrent(); } }, 60_000);
}

boot().catch((e) => console.error('counter boot failed', e));
