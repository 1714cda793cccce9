/* Counter (clerk) page — /counter
 *
 * Sign in with a clerk (or admin) token, checked with /api/v1/me; kept in sessionStorage, or in
 * localStorage when "remember" is ticked. Choose location and counter; open/pause (with a reason)/close;
 * call next, recall, start, finish (with an outcome when the service has outcomes), no-show, transfer,
 * park (the citizen steps away; a "call back" button in the parked list calls them again), call a
 * waiting ticket out of order (asks why: the reason goes into the audit log), record a visit served
 * without a ticket. Live via the location's SSE stream.
 * Keyboard: N call next, R recall, S start, F finish, X no-show, T transfer, P park, W served without
 * ticket (not while typing or while a dialog is open; in the finish dialog the digits 1-9 pick an outcome).
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
 *   transfer-service, transfer-counter, transfer-error, transfer-confirm, transfer-cancel,
 *   pause-reason, btn-park, btn-served, btn-call-<number>, queue-parked, parked-empty,
 *   parked-ticket-<number>, btn-callback-<number>, call-dialog, call-reason, call-error, call-confirm,
 *   call-cancel, pause-dialog, pause-reason-input, pause-error, pause-confirm, pause-cancel,
 *   finish-dialog, btn-outcome-<outcomeId>, finish-none, finish-cancel, finish-error,
 *   served-dialog, served-service, served-outcome, served-error, served-confirm, served-cancel
 */
import {api, seg, apiUrl, isAborted, isOutage} from './api.js';
import {initI18n, getLang, t, languageSwitcher, onLangChange} from './i18n.js';
import {$, h, debounce, store, focusEl, wallTime, clock} from './dom.js';
import {connectEvents} from './sse.js';
import {problemText} from './problems.js';
import {staffSignIn} from './signin.js';

const TOKEN_KEY = 'loket.clerk.token';

const LOC_KEY = 'loket.counter.location';
const COUNTER_KEY = 'loket.counter.counter';
const REFRESH_MS = 30_000;
// Statuses in which a ticket is no longer at the counter (parked: stepped away, called back later).
const FINAL = new Set(['done', 'no-show', 'cancelled', 'closed', 'transferred', 'parked']);

const local = store('local');

/** Everything the desk knows; the render functions draw the page from it. */
const state = {
  token: null,          // the clerk's token
  me: null,             // who signed in (/me), null while signed out
  locations: [],
  locationId: null,     // the chosen location
  counters: [],         // the location's counters, each with its current ticket
  counterId: null,      // the counter this desk works at
  current: null,        // that counter's current ticket
  queue: {waiting: [], byService: [], parked: []},
  services: null,       // for transfer, finish outcomes and served, loaded on demand per location+language
  callTarget: null,     // the waiting ticket the call dialog is about
  pending: false,       // an action is running: ignore more clicks/keys
  notice: null,         // {text, kind} under the actions: what the last action did
  stream: null,         // the location's event stream
  refreshTimer: null,
  refreshGen: 0,        // answers of a refresh that a newer one overtook are dropped
};

const auth = staffSignIn({key: TOKEN_KEY, roles: ['clerk', 'admin'], texts: 'counter.signIn', state, view: '#view-desk', enter: enterDesk});

/* ------------------------------------------------------------------ sign in / out */

async function boot() {
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  onLangChange(() => { state.services = null; if (state.me) { renderAll(); loadLocations().catch(() => {}); } });
  wire();
  await auth.resume();
}

function signOut(reasonKey) {
  auth.forget();
  state.token = null;
  state.me = null;
  state.current = null;
  state.stream?.close();
  state.stream = null;
  clearInterval(state.refreshTimer);
  auth.show(reasonKey);
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
  state.queue = {waiting: [], byService: [], parked: []};
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
    state.queue = q && typeof q === 'object' ? q : {waiting: [], byService: [], parked: []};
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
  const reason = st === 'paused' ? c?.pauseReason || '' : '';
  $('#pause-reason').textContent = reason;
  $('#pause-reason-line').hidden = !reason;
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
  $('#cur-origin').textContent = t(tk.origin === 'appointment' ? 'counter.origin.appointment'
    : tk.origin === 'counter' ? 'counter.origin.counter' : 'counter.origin.walkin');

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
  // The lists are redrawn on every live update: a clerk who tabbed to a button in them keeps the focus.
  const active = document.activeElement;
  const focused = active?.closest?.('#queue-waiting, #queue-parked') ? active.dataset.testid : null;
  const waiting = (state.queue.waiting || []).slice(0, 50);
  $('#queue-empty').hidden = waiting.length > 0;
  const open = selectedCounter()?.state === 'open';
  $('#queue-waiting').replaceChildren(...waiting.map((tk) => {
    const mins = clock.minutesSince(tk.waitingSince || tk.issuedAt);
    return h('li', {'data-testid': `queue-ticket-${tk.number}`},
      h('span', {class: 'q-number'}, tk.number || ''),
      h('span', {}, tk.serviceName || tk.service || ''),
      tk.origin === 'appointment' ? h('span', {class: 'badge'}, t('counter.origin.appointment')) : null,
      h('span', {class: 'q-wait'}, mins === null ? '' : t('counter.queue.minutes', {n: mins})),
      h('button', {type: 'button', class: 'btn btn-small', 'data-testid': `btn-call-${tk.number}`,
        'aria-label': t('counter.actions.callNumber', {number: tk.number}), disabled: state.pending || !open ? '' : null,
        onclick: () => openCall(tk)}, t('counter.actions.call')));
  }));
  // Parked tickets: stepped away, called back by a clerk (any counter of the location).
  const parked = state.queue.parked || [];
  $('#parked-empty').hidden = parked.length > 0;
  $('#queue-parked').replaceChildren(...parked.map((tk) => h('li', {'data-testid': `parked-ticket-${tk.number}`},
    h('span', {class: 'q-number'}, tk.number || ''),
    h('span', {}, tk.serviceName || tk.service || ''),
    h('span', {class: 'q-wait'}, tk.calledAt ? wallTime(tk.calledAt) : ''),
    h('button', {type: 'button', class: 'btn btn-small', 'data-testid': `btn-callback-${tk.number}`,
      'aria-label': t('counter.actions.callBackNumber', {number: tk.number}), disabled: state.pending || !open ? '' : null,
      onclick: () => callTicket(tk, null)}, t('counter.actions.callBack')))));
  if (focused) document.querySelector(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
}

function renderCounters() {
  $('#counters-list').replaceChildren(...state.counters.map((c) => h('li', {'data-testid': `counter-${c.id}`},
    h('span', {class: `c-name${c.id === state.counterId ? ' c-self' : ''}`}, `${t('counter.desk.counter')} ${c.name || c.id}`),
    h('span', {class: `state-${c.state}`}, stateText(c.state)),
    c.state === 'paused' && c.pauseReason ? h('span', {class: 'muted'}, c.pauseReason) : null,
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
    'btn-park': s === 'called' || s === 'serving',
    'btn-served': Boolean(c) && !tk,
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

/* ------------------------------------------------------------------ the clerk's other moves */

/** The location's services in the page's language (with their outcomes), loaded once per location and language. */
async function ensureServices() {
  if (!state.services) state.services = await api('/services', {query: {location: state.locationId, lang: getLang()}}) || [];
  return state.services;
}

/** Opens `dlg`; when it closes, focus goes back to `back` (or the desk's heading). */
function openDialog(dlg, focus, back) {
  dlg.showModal();
  dlg.addEventListener('close', () => focusEl(back && !back.disabled && back.isConnected ? back : $('#desk-title')), {once: true});
  focusEl(focus);
}

function openCall(tk) {
  if (state.pending) return;
  state.callTarget = tk;
  $('#call-title').textContent = t('counter.call.title', {number: tk.number});
  $('#call-reason').value = '';
  $('#call-error').hidden = true;
  $('#call-reason').setAttribute('aria-invalid', 'false');
  openDialog($('#call-dialog'), $('#call-reason'), $('#btn-call-next'));
}

async function submitCall(ev) {
  ev.preventDefault();
  const tk = state.callTarget;
  if (!tk) return $('#call-dialog').close();
  const reason = $('#call-reason').value.trim();
  await callTicket(tk, reason, {dialog: $('#call-dialog'), error: $('#call-error'), field: $('#call-reason')});
  return undefined;
}

/** POST /counters/{id}/call for `tk`; errors go into the dialog when there is one. */
function callTicket(tk, reason, {dialog, error, field} = {}) {
  const c = selectedCounter();
  if (!c) return undefined;
  return run(async () => {
    let res;
    try {
      res = await api(`/counters/${seg(c.id)}/call`, {method: 'POST', token: state.token, query: {lang: getLang()},
        body: reason ? {ticket: tk.id, reason} : {ticket: tk.id}});
    } catch (e) {
      if (!dialog || e.status === 401 || isOutage(e)) { dialog?.close(); throw e; }
      error.textContent = problemText(e, {texts: 'counter.err'});
      error.hidden = false;
      field?.setAttribute('aria-invalid', 'true');
      return;
    }
    dialog?.close();
    state.current = res;
    c.current = res;
    say(t('counter.msg.called', {number: res?.number || tk.number}), 'ok');
    renderAll();
    softRefresh();
  });
}

function openPause() {
  if (state.pending || !selectedCounter()) return;
  $('#pause-reason-input').value = '';
  $('#pause-error').hidden = true;
  openDialog($('#pause-dialog'), $('#pause-reason-input'), $('#btn-open'));
}

async function submitPause(ev) {
  ev.preventDefault();
  const c = selectedCounter();
  if (!c) return $('#pause-dialog').close();
  const reason = $('#pause-reason-input').value.trim();
  await run(async () => {
    let res;
    try {
      res = await api(`/counters/${seg(c.id)}/pause`, {method: 'POST', token: state.token, query: {lang: getLang()},
        body: reason ? {reason} : undefined});
    } catch (e) {
      if (e.status === 401 || isOutage(e)) { $('#pause-dialog').close(); throw e; }
      $('#pause-error').textContent = problemText(e, {texts: 'counter.err'});
      $('#pause-error').hidden = false;
      return;
    }
    $('#pause-dialog').close();
    if (res && typeof res === 'object') {
      Object.assign(c, res);
      if (!res.pauseReason) delete c.pauseReason;
      state.current = res.current || null;
    }
    say(reason ? t('counter.msg.pauseReason', {counter: c.name || c.id, reason}) : t('counter.msg.pause', {counter: c.name || c.id}), 'ok');
    renderAll();
    softRefresh();
  });
  return undefined;
}

/** Finish: straight away when the service has no outcomes, else the outcome buttons. */
async function finish() {
  const tk = state.current;
  if (!tk || state.pending) return;
  let outcomes = [];
  try {
    outcomes = (await ensureServices()).find((s) => s.id === tk.service)?.outcomes || [];
  } catch { /* without the list, finish without an outcome */ }
  if (!outcomes.length) return ticketAction('finish');
  $('#finish-title').textContent = t('counter.finish.title', {number: tk.number});
  $('#finish-error').hidden = true;
  const buttons = outcomes.map((o, i) => h('button', {type: 'button', class: 'btn btn-primary', 'data-testid': `btn-outcome-${o.id}`,
    'data-outcome': o.id, 'aria-keyshortcuts': i < 9 ? String(i + 1) : null,
    onclick: () => finishWith(tk, o)}, i < 9 ? [h('kbd', {}, String(i + 1)), ' ', o.name] : o.name));
  $('#finish-outcomes').replaceChildren(...buttons);
  openDialog($('#finish-dialog'), buttons[0], $('#btn-call-next'));
  return undefined;
}

function finishWith(tk, outcome) {
  return run(async () => {
    let res;
    try {
      res = await api(`/tickets/${seg(tk.id)}/finish`, {method: 'POST', token: state.token, query: {lang: getLang()},
        body: outcome ? {outcome: outcome.id} : undefined});
    } catch (e) {
      if (e.status === 401 || isOutage(e)) { $('#finish-dialog').close(); throw e; }
      $('#finish-error').textContent = problemText(e, {texts: 'counter.err'});
      $('#finish-error').hidden = false;
      return;
    }
    if ($('#finish-dialog').open) $('#finish-dialog').close();
    if (res && typeof res === 'object') state.current = res;
    const c = selectedCounter();
    if (c) c.current = null;
    say(outcome ? t('counter.msg.finishOutcome', {number: tk.number, outcome: outcome.name}) : t('counter.msg.finish', {number: tk.number}), 'ok');
    renderAll();
    softRefresh();
  });
}

async function openServed() {
  const c = selectedCounter();
  if (!c || state.pending) return;
  let services;
  try {
    services = await ensureServices();
  } catch (e) {
    handleError(e);
    return;
  }
  // The counter's own services first, then the rest of the location's (a clerk may help with anything).
  const own = new Set(c.services || []);
  const list = [...services.filter((s) => own.has(s.id)), ...services.filter((s) => !own.has(s.id))];
  $('#served-service').replaceChildren(...list.map((s) => h('option', {value: s.id}, s.name)));
  $('#served-error').hidden = true;
  fillServedOutcomes();
  openDialog($('#served-dialog'), $('#served-service'), $('#btn-served'));
}

function fillServedOutcomes() {
  const s = (state.services || []).find((x) => x.id === $('#served-service').value);
  const outcomes = s?.outcomes || [];
  $('#served-outcome').replaceChildren(h('option', {value: ''}, t('counter.served.noOutcome')),
    ...outcomes.map((o) => h('option', {value: o.id}, o.name)));
  $('#served-outcome-box').hidden = outcomes.length === 0;
}

async function submitServed(ev) {
  ev.preventDefault();
  const c = selectedCounter();
  if (!c) return $('#served-dialog').close();
  const service = $('#served-service').value;
  const outcome = $('#served-outcome').value;
  const err = $('#served-error');
  if (!service) {
    err.textContent = t('counter.served.chooseService');
    err.hidden = false;
    return undefined;
  }
  await run(async () => {
    try {
      await api(`/counters/${seg(c.id)}/served`, {method: 'POST', token: state.token, query: {lang: getLang()},
        body: outcome ? {service, outcome} : {service}});
    } catch (e) {
      if (e.status === 401 || isOutage(e)) { $('#served-dialog').close(); throw e; }
      err.textContent = problemText(e, {texts: 'counter.err'});
      err.hidden = false;
      return;
    }
    $('#served-dialog').close();
    say(t('counter.msg.served', {service: (state.services || []).find((s) => s.id === service)?.name || service}), 'ok');
    softRefresh();
  });
  return undefined;
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
    if (!v) return auth.show('counter.signIn.empty');
    auth.signIn(v, {remember: $('#remember').checked});
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
  $('#btn-pause').addEventListener('click', openPause);
  $('#btn-close').addEventListener('click', () => counterAction('close'));
  $('#btn-call-next').addEventListener('click', callNext);
  $('#btn-recall').addEventListener('click', () => ticketAction('recall'));
  $('#btn-start').addEventListener('click', () => ticketAction('start'));
  $('#btn-finish').addEventListener('click', finish);
  $('#btn-no-show').addEventListener('click', () => ticketAction('no-show'));
  $('#btn-transfer').addEventListener('click', openTransfer);
  $('#btn-park').addEventListener('click', () => ticketAction('park'));
  $('#btn-served').addEventListener('click', openServed);

  $('#call-form').addEventListener('submit', submitCall);
  $('#call-cancel').addEventListener('click', () => $('#call-dialog').close());
  $('#pause-form').addEventListener('submit', submitPause);
  $('#pause-cancel').addEventListener('click', () => $('#pause-dialog').close());
  $('#finish-none').addEventListener('click', () => { const tk = state.current; if (tk) finishWith(tk, null); });
  $('#finish-cancel').addEventListener('click', () => $('#finish-dialog').close());
  $('#finish-dialog').addEventListener('keydown', (e) => {
    // Digits pick an outcome, like the shortcuts of the main buttons.
    const b = /^[1-9]$/.test(e.key) ? $('#finish-outcomes').children[Number(e.key) - 1] : null;
    if (b && !b.disabled && !e.ctrlKey && !e.altKey && !e.metaKey) { e.preventDefault(); b.click(); }
  });
  $('#served-form').addEventListener('submit', submitServed);
  $('#served-cancel').addEventListener('click', () => $('#served-dialog').close());
  $('#served-service').addEventListener('change', fillServedOutcomes);

  $('#transfer-form').addEventListener('submit', submitTransfer);
  $('#transfer-cancel').addEventListener('click', () => $('#transfer-dialog').close());
  $('#transfer-kind-service').addEventListener('change', () => setTransferKind('service'));
  $('#transfer-kind-counter').addEventListener('change', () => setTransferKind('counter'));
  $('#transfer-service-filter').addEventListener('input', (e) => fillServiceOptions(e.target.value));

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || $('#view-desk').hidden) return;
    if (document.querySelector('dialog[open]')) return;
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
