/* Ticket status — /t/{id}, on the citizen's phone.
 *
 * Shows number, service, position and estimated wait; follows the location's SSE stream and
 * refetches the ticket on `ticket`, `queue`, `called` and `recalled` events, with a slow poll as a
 * fallback (faster while the stream is down). Done / no-show / cancelled / closed are explained, and
 * so is parked (the citizen stepped away and will be called back). With no counter open yet the
 * wait says when the counters open (`countersOpen`, `opensAt`) instead of "very soon".
 *
 * Alerts (alerts.js): when three or fewer are ahead ("almost your turn") and on each call or
 * recall ("go to counter 3"), a short tune, a vibration and, once the citizen allowed it with the
 * "warn me" button, a system notification. Each fires once: what was raised is kept per ticket in
 * sessionStorage, so neither another update nor a reload repeats it. The page says every alert in
 * text too (the banner, and a list with the time and the signals used), for people who cannot hear
 * or feel it; the banner flashes, or only gets an outline under prefers-reduced-motion.
 *
 * data-testid:
 *   location-name, lang-switch, lang-nl|fr|en|de, ticket-error, ticket, ticket-number,
 *   ticket-service, ticket-almost, ticket-called, ticket-counter, ticket-status, ticket-position,
 *   ticket-wait, warn-box, warn-intro, btn-warn, warn-status, alert-log-box, alert-log,
 *   alert-log-item, ticket-updated, offline-indicator
 */
import {api, seg, apiUrl, isOutage, isNetworkError} from './api.js';
import {initI18n, getLang, t, languageSwitcher, onLangChange, LOCALES} from './i18n.js';
import {$, h, pathSegment, debounce, clock, store, wallTime} from './dom.js';
import {connectEvents} from './sse.js';
import {problemText} from './problems.js';
import {
  ALMOST_POSITION, dueAlerts, emptyRecord, activated, unlockAudio, canSound, canVibrate, chime, vibrate,
  notify, notificationState, askNotificationPermission,
} from './alerts.js';

const POLL_MS = 30_000;
const POLL_OFFLINE_MS = 10_000;
const FINAL = new Set(['done', 'no-show', 'cancelled', 'closed']);
const WAITING = new Set(['waiting', 'transferred']);

const id = pathSegment(1);
let ticket = null;
let locationName = '';
let stream = null;
let streamOnline = true;
let pollTimer = null;
let loading = null;
let gone = false;         // 404: stop asking
const session = store('session');
const recordKey = `loket.ticket.alerts.${id}`;
let record = loadRecord();   // what this tab already raised for this ticket (alerts.js)

function loadRecord() {
  try {
    return {...emptyRecord(), ...JSON.parse(session.get(recordKey) || '{}')};
  } catch {
    return emptyRecord();
  }
}
const saveRecord = () => session.set(recordKey, JSON.stringify(record));

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
  const due = dueAlerts(record, tk);
  record = due.record;
  saveRecord();   // before any signal: a reload in the middle must not raise it again
  render();
  for (const alert of due.alerts) if (alert.loud) raise(alert.kind, tk);
  if (first) {
    loadLocationName();
    if (!FINAL.has(tk.status)) connect();
  }
  if (FINAL.has(tk.status)) {
    stream?.close();
    stream = null;
    clearTimeout(pollTimer);
  }
}

/** Sounds, vibrates and notifies for one alert, and writes down when and how, for the page to say. */
function raise(kind, tk) {
  const counter = tk.counterName || '';
  const via = [];
  if (chime(kind)) via.push('sound');
  if (vibrate(kind)) via.push('vibration');
  const title = t(kind === 'almost' ? 'ticket.notify.almost' : 'ticket.notify.called', {number: tk.number});
  const body = kind === 'almost' ? almostText() : calledText(counter);
  if (notify(title, {body, tag: `loket-ticket-${id}`, lang: getLang()})) via.push('notification');
  record.log.push({kind, at: nowHm(), counter, via});
  saveRecord();
  renderLog();
  flash(kind === 'almost' ? $('#almost') : $('#called'));
}

function flash(box) {
  box.classList.remove('pulse');
  void box.offsetWidth;   // restart the animation
  box.classList.add('pulse');
}

const nowHm = () => (clock.synced ? clock.hm() : new Date().toTimeString().slice(0, 5));
const almostText = () => t('ticket.almost.text', {n: ALMOST_POSITION - 1});
const calledText = (counter) => (counter ? t('ticket.goToCounter', {counter}) : t('ticket.goToDesk'));

/** "sound, vibration and notification" in the page's language. */
function channelList(via) {
  const words = via.map((v) => t(`ticket.warn.${v}`));
  try {
    return new Intl.ListFormat(LOCALES[getLang()] || 'nl-BE', {type: 'conjunction'}).format(words);
  } catch {
    return words.join(', ');
  }
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
    $('#called-counter').textContent = calledText(counter);
  }

  const waiting = WAITING.has(tk.status);
  const almost = waiting && record.almost;
  $('#almost').hidden = !almost;
  if (almost) setText($('#almost-text'), almostText());
  $('#wait-box').hidden = !waiting;
  if (waiting) {
    const pos = Number(tk.position);
    $('#ticket-position').textContent = Number.isFinite(pos) && pos > 0 ? String(pos) : '—';
    const w = tk.estimatedWaitMinutes;
    const minutes = w === null || w === undefined || !Number.isFinite(Number(w)) ? '—'
      : Number(w) <= 1 ? t('ticket.waitSoon') : t('ticket.waitMinutes', {n: Number(w)});
    // No counter open yet: say when they open (or that they are not open), never "very soon".
    $('#ticket-wait').textContent = tk.countersOpen !== false ? minutes
      : tk.opensAt ? `${t('ticket.opensAt', {time: wallTime(tk.opensAt)})} (${minutes})`
        : Number(w) > 1 ? `${t('ticket.notOpen')} (${minutes})` : t('ticket.notOpen');
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
    parked: 'ticket.status.parked',
  }[tk.status] || 'ticket.status.waiting';
  $('#ticket-status').textContent = called ? '' : t(statusKey, {counter});   // the banner says it when called
  $('#updated').textContent = nowHm();

  document.title = called
    ? `${tk.number} → ${counter} – ${t('ticket.yourTurn')}`
    : `${tk.number} – ${t(almost ? 'ticket.almost.title' : 'ticket.pageTitle')}`;
  renderWarn(waiting);
  renderLog();
}

/** The "warn me" button while waiting; once pressed, what will warn the citizen. */
function renderWarn(waiting) {
  $('#warn-box').hidden = !waiting;
  if (!waiting) return;
  const btn = $('#btn-warn');
  $('#warn-intro').textContent = t('ticket.warn.intro', {n: ALMOST_POSITION - 1});
  $('#warn-intro').hidden = record.armed;
  btn.textContent = t(record.armed ? 'ticket.warn.test' : 'ticket.warn.button');
  btn.classList.toggle('btn-primary', !record.armed);
  if (!record.armed) {
    setText($('#warn-status'), '');
    return;
  }
  const perm = notificationState();
  const via = [canSound() && 'sound', canVibrate() && 'vibration', perm === 'granted' && 'notification'].filter(Boolean);
  const parts = [via.length ? t('ticket.warn.on', {list: channelList(via)}) : t('ticket.warn.textOnly')];
  if (perm === 'denied') parts.push(t('ticket.warn.blocked'));
  if (perm === 'unsupported') parts.push(t('ticket.warn.unsupported'));
  if (canSound() && !activated()) parts.push(t('ticket.warn.tap'));
  setText($('#warn-status'), parts.join(' '));
}

/** Writes text only when it changed: a live region would otherwise read it out on every update. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Every loud alert of this ticket, with the time and the signals that went out. */
function renderLog() {
  const items = record.log.map((e) => {
    const what = e.kind === 'almost' ? t('ticket.alert.almost', {n: ALMOST_POSITION - 1})
      : !e.counter ? t('ticket.alert.calledDesk')
        : t(e.kind === 'recalled' ? 'ticket.alert.recalled' : 'ticket.alert.called', {counter: e.counter});
    const via = e.via?.length ? ` ${t('ticket.alert.via', {list: channelList(e.via)})}` : '';
    return h('li', {'data-testid': 'alert-log-item'}, h('time', {}, e.at), ` – ${what}${via}`);
  });
  $('#alert-log').replaceChildren(...items);
  $('#alert-log-box').hidden = items.length === 0;
}

/** The button: the gesture that lets the page play sound and ask to show notifications. */
async function armWarnings() {
  const asking = askNotificationPermission();   // first, while the click still counts as a gesture
  unlockAudio();
  record.armed = true;
  saveRecord();
  chime('almost');   // the citizen hears what to listen for, and the sound is unlocked
  await asking;
  if (ticket) render();
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
  // The public stream names tickets by their tag, never by id (the id is this page's secret).
  const mine = (d) => d && ticket?.eventTag && d.ticket === ticket.eventTag;
  stream = connectEvents(apiUrl(`/locations/${seg(ticket.location)}/events`), {
    handlers: {
      ticket: (d) => (mine(d) ? fetchTicket() : softFetch()),
      queue: () => softFetch(),
      called: (d) => (mine(d) ? fetchTicket() : softFetch()),
      recalled: (d) => (mine(d) ? fetchTicket() : undefined),   // the alert comes from the new recall count
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
  $('#btn-warn').addEventListener('click', armWarnings);
  // The first tap or key unlocks the sound (browsers refuse it before) and drops the hint to tap.
  // click, not pointerdown: a touch only counts as a gesture once the finger lifts.
  const onFirstTouch = () => {
    if (!unlockAudio()) return;
    document.removeEventListener('click', onFirstTouch, true);
    document.removeEventListener('keydown', onFirstTouch, true);
    if (ticket) render();
  };
  document.addEventListener('click', onFirstTouch, true);
  document.addEventListener('keydown', onFirstTouch, true);
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
