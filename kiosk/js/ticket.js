/* Ticket status — /t/{id}, on the citizen's phone.
 *
 * Shows number, service, position and estimated wait; follows the location's SSE stream and
 * refetches the ticket on `ticket`, `queue`, `called` and `recalled` events, with a slow poll as a
 * fallback (faster while the stream is down). When called: "It's your turn — go to counter 3",
 * with vibration where available. Done / no-show / cancelled / closed are explained.
 *
 * data-testid:
 *   location-name, lang-switch, lang-nl|fr|en|de, ticket-error, ticket, ticket-number,
 *   ticket-service, ticket-called, ticket-counter, ticket-status, ticket-position, ticket-wait,
 *   ticket-updated, offline-indicator
 */
import {api, seg, apiUrl, isOutage, isNetworkError} from './api.js';
import {initI18n, getLang, t, languageSwitcher, onLangChange} from './i18n.js';
import {$, pathSegment, debounce, clock} from './dom.js';
import {connectEvents} from './sse.js';
import {problemText} from './problems.js';

const POLL_MS = 30_000;
const POLL_OFFLINE_MS = 10_000;
const FINAL = new Set(['done', 'no-show', 'cancelled', 'closed']);

const id = pathSegment(1);
let ticket = null;
let locationName = '';
let stream = null;
let streamOnline = true;
let pollTimer = null;
let lastCall = null;      // calledAt (or recall count) we already buzzed for
let loading = null;
let gone = false;         // 404: stop asking

async function fetchTicket() {
  if (loading) return loading;
  loading = (async () => {
    try {
      const tk = await api(`/tickets/${seg(id)}`, {query: {lang: getLang()}});
      $('#offline').hidden = streamOnline;
      update(tk);
    } catch (e) {
      if (e.status === 404) {
        gone = true;
        return showError(problemText(e, {texts: 'ticket.err', reference: id}));
      }
      if (isNetworkError(e) || isOutage(e)) $('#offline').hidden = false;
    } finally {
      loading = null;
      schedulePoll();
    }
    return undefined;
  })();
  return loading;
}

const softFetch = debounce(fetchTicket, 1500);

function schedulePoll() {
  clearTimeout(pollTimer);
  if (gone || (ticket && FINAL.has(ticket.status))) return;
  pollTimer = setTimeout(fetchTicket, streamOnline ? POLL_MS : POLL_OFFLINE_MS);
}

function showError(text, {stop = true} = {}) {
  $('#loading').hidden = true;
  $('#ticket').hidden = true;
  const el = $('#error');
  el.textContent = text;
  el.hidden = false;
  if (stop) {
    stream?.close();
    stream = null;
    clearTimeout(pollTimer);
  }
}

function update(tk) {
  if (!tk) return;
  const first = !ticket;
  ticket = tk;
  render();
  if (first) {
    loadLocationName();
    if (!FINAL.has(tk.status)) connect();
  }
  if (FINAL.has(tk.status)) {
    stream?.close();
    stream = null;
    clearTimeout(pollTimer);
  }
  if (tk.status === 'called' && tk.calledAt && tk.calledAt !== lastCall) {
    lastCall = tk.calledAt;
    if (!first) buzz();
  }
}

function buzz() {
  // Browsers only allow vibration after the person has touched the page once.
  const allowed = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  if (allowed && navigator.vibrate) {
    try { navigator.vibrate([400, 200, 400, 200, 400]); } catch { /* not supported */ }
  }
  const box = $('#called');
  box.classList.remove('pulse');
  void box.offsetWidth;
  box.classList.add('pulse');
}

function render() {
  const tk = ticket;
  if (!tk) return;
  $('#loading').hidden = true;
  $('#error').hidden = true;
  $('#ticket').hidden = false;
  document.body.classList.toggle('is-final', FINAL.has(tk.status));
  $('#ticket-number').textContent = tk.number || '';
  $('#ticket-service').textContent = tk.serviceName || '';

  const counter = tk.counterName || '';
  const called = tk.status === 'called';
  $('#called').hidden = !called;
  if (called) {
    $('#called-title').textContent = t('ticket.yourTurn');
    $('#called-counter').textContent = counter ? t('ticket.goToCounter', {counter}) : t('ticket.goToDesk');
  }

  const waiting = tk.status === 'waiting' || tk.status === 'transferred';
  $('#wait-box').hidden = !waiting;
  if (waiting) {
    const pos = Number(tk.position);
    $('#ticket-position').textContent = Number.isFinite(pos) && pos > 0 ? String(pos) : '—';
    const w = tk.estimatedWaitMinutes;
    $('#ticket-wait').textContent = w === null || w === undefined || !Number.isFinite(Number(w)) ? '—'
      : Number(w) <= 1 ? t('ticket.waitSoon') : t('ticket.waitMinutes', {n: Number(w)});
  }

  const statusKey = {
    waiting: Number(tk.position) === 1 ? 'ticket.status.next' : 'ticket.status.waiting',
    transferred: 'ticket.status.waiting',
    called: 'ticket.status.called',
    serving: 'ticket.status.serving',
    done: 'ticket.status.done',
    'no-show': 'ticket.status.noShow',
    cancelled: 'ticket.status.cancelled',
    closed: 'ticket.status.closed',
  }[tk.status] || 'ticket.status.waiting';
  $('#ticket-status').textContent = called ? '' : t(statusKey, {counter});   // the banner says it when called
  $('#updated').textContent = clock.synced ? clock.hm() : new Date().toTimeString().slice(0, 5);

  document.title = called
    ? `${tk.number} → ${counter} – ${t('ticket.yourTurn')}`
    : `${tk.number} – ${t('ticket.pageTitle')}`;
}

async function loadLocationName() {
  if (!ticket?.location) return;
  try {
    const list = await api('/locations', {query: {lang: getLang()}});
    const loc = (list || []).find((l) => l.id === ticket.location);
    locationName = loc?.name || '';
  } catch { /* keep the generic title */ }
  const el = $('#location-name');
  if (locationName) {
    el.removeAttribute('data-i18n');
    el.textContent = locationName;
  }
}

function connect() {
  if (stream || !ticket?.location) return;
  const mine = (d) => d && (d.ticket === id || d.ticket === ticket?.id);
  stream = connectEvents(apiUrl(`/locations/${seg(ticket.location)}/events`), {
    handlers: {
      ticket: (d) => (mine(d) ? fetchTicket() : softFetch()),
      queue: () => softFetch(),
      called: (d) => (mine(d) ? fetchTicket() : softFetch()),
      recalled: (d) => {
        if (mine(d)) {
          buzz();
          fetchTicket();
        }
      },
    },
    onStatus: (online) => {
      streamOnline = online;
      $('#offline').hidden = online;
      if (online) fetchTicket();
      else schedulePoll();
    },
  });
}

async function boot() {
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  onLangChange(() => { render(); loadLocationName(); });
  if (!id) return showError(t('ticket.err.notFound'));
  try {
    const health = await api('/health', {timeout: 5000});
    if (health?.now) clock.sync(health.now);
  } catch { /* browser clock then */ }
  await fetchTicket();
  if (!ticket && $('#error').hidden) showError(t('ticket.err.unreachable'), {stop: false});  // the poll keeps trying
  // Phones freeze background tabs: catch up as soon as the page is visible again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && ticket && !FINAL.has(ticket.status)) {
      stream?.reconnect();
      fetchTicket();
    }
  });
  return undefined;
}

boot().catch((e) => {
  console.error('ticket boot failed', e);
  showError(t('ticket.err.unreachable'));
});
