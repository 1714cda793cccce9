/* Lobby display — /display/{location}
 *
 * Shows the current call very large, the previous calls, waiting counts per service and a clock.
 * Live via SSE; on every (re)connect the state is refetched from /display. Each `called` chimes
 * (Web Audio) and speaks the call in the display languages (Web Speech); `recalled` repeats it
 * and highlights. Built to run for weeks: fixed-size state, reused DOM nodes, no growing listeners.
 * Options: ?lang=fr (language of service names and first label), ?sound=auto (try audio without a
 * click, for browsers started with an autoplay policy that allows it).
 *
 * data-testid:
 *   location-name, clock, current, current-number, current-counter, history, history-item
 *   (each with data-ticket), waiting-list, waiting-item (data-service), waiting-none,
 *   total-waiting, offline-indicator, sound-hint, display-error, closure-notice, closure-until,
 *   closure-reason
 *
 * A runtime closure in force (`closure` in /display) shows a notice with its end and reason; a
 * `closure` event (added or lifted) refetches at once, so the notice appears and goes away live.
 */
import {api, seg, apiUrl} from './api.js';
import {t, loadAllLangs, LANGS, LOCALES, formatDate} from './i18n.js';
import {$, h, pathSegment, clock} from './dom.js';
import {connectEvents} from './sse.js';

const MAX_CALLS = 8;          // current + 7 previous
const HISTORY_ROWS = MAX_CALLS - 1;
const MAX_WAITING_ROWS = 12;
const REFRESH_MS = 60_000;    // safety refetch, also keeps the clock and DST offset right
const MAX_PENDING_ANNOUNCEMENTS = 4;

const locationId = pathSegment(1);
const params = new URLSearchParams(location.search);
const langParam = LANGS.includes(params.get('lang')) ? params.get('lang') : null;

const state = {
  name: '',
  langs: ['nl'],
  called: [],          // newest first, at most MAX_CALLS: {ticket, number, counter, calledAt}
  pinned: null,        // ticket tag of the last recall, shown as current until the next call
  waiting: [],
  total: 0,
  closure: null,       // {id, until, reason} while a closure is in force
};

let fetching = null;
let sseOnline = null;   // null until the stream has reported once
let fetchFailed = false;

/* ------------------------------------------------------------------ state from the server */

function fetchDisplay() {
  if (!fetching) fetching = doFetch().finally(() => { fetching = null; });
  return fetching;
}

async function doFetch() {
  // The first answer tells which languages this display speaks; then ask again in the first one.
  for (let attempt = 0; attempt < 2; attempt++) {
    const lang = langParam || state.langs[0] || 'nl';
    try {
      const d = await api(`/locations/${seg(locationId)}/display`, {query: {lang}});
      applyDisplay(d);
      fetchFailed = false;
      $('#fatal').hidden = true;
    } catch (e) {
      if (e.status === 404) showFatal(t('display.unknownLocation', {id: locationId}));
      fetchFailed = true;
    }
    updateOffline();
    if (fetchFailed || langParam || state.langs[0] === lang) return;
  }
}

function applyDisplay(d) {
  if (!d || typeof d !== 'object') return;
  state.name = d.name || locationId;
  const langs = Array.isArray(d.displayLanguages) ? d.displayLanguages.filter((l) => LANGS.includes(l)) : [];
  state.langs = langs.length ? langs : ['nl'];
  if (langParam) state.langs = [langParam, ...state.langs.filter((l) => l !== langParam)];
  document.documentElement.lang = state.langs[0];
  state.called = (Array.isArray(d.called) ? d.called : []).slice(0, MAX_CALLS).map(toCall);
  if (state.pinned && !state.called.some((c) => c.ticket === state.pinned)) state.pinned = null;
  state.waiting = Array.isArray(d.waiting) ? d.waiting : [];
  state.total = Number(d.totalWaiting) || 0;
  state.closure = d.closure && typeof d.closure === 'object' && d.closure.until ? d.closure : null;
  if (d.now) clock.sync(d.now);
  renderLabels();
  renderClosure();
  renderCalls();
  renderWaiting();
  tick();
}

const toCall = (c) => ({
  ticket: c.ticket ?? c.number,
  number: String(c.number ?? ''),
  counter: String(c.counter ?? ''),
  calledAt: c.calledAt || '',
});

/* ------------------------------------------------------------------ live events */

function onCalled(data, recall) {
  if (!data || !data.number) return;
  const call = toCall(data);
  const i = state.called.findIndex((c) => c.ticket === call.ticket);
  if (recall && i >= 0) {
    state.called[i] = call;
  } else {
    if (i >= 0) state.called.splice(i, 1);
    state.called.unshift(call);
    if (state.called.length > MAX_CALLS) state.called.length = MAX_CALLS;
  }
  state.pinned = recall ? call.ticket : null;
  renderCalls();
  flash();
  announce(call);
}

function onQueue(data) {
  if (!data) return;
  if (Array.isArray(data.waiting)) state.waiting = data.waiting;
  if (data.totalWaiting !== undefined) state.total = Number(data.totalWaiting) || 0;
  renderWaiting();
}

/* ------------------------------------------------------------------ rendering (reused nodes) */

/** The closure notice: "Temporarily closed", until when (time only when it is today), and why. */
function renderClosure() {
  const box = $('#closure');
  const c = state.closure;
  box.hidden = !c;
  if (!c) return;
  setMulti($('#closure-title'), 'display.closed');
  const until = String(c.until);
  const day = until.slice(0, 10);
  const time = until.slice(11, 16);
  const when = clock.synced && day === clock.today() ? time : `${formatDate(day, {weekday: 'long', day: 'numeric', month: 'long'}, state.langs[0])} ${time}`;
  setMultiText($('#closure-until'), state.langs.map((l) => [l, t('display.closedUntil', {time: when}, l)]));
  // The reason in each display language it was written in; the server's pick when none matches.
  const given = c.reasons && typeof c.reasons === 'object' ? c.reasons : {};
  const reasons = state.langs.filter((l) => typeof given[l] === 'string').map((l) => [l, given[l]]);
  setMultiText($('#closure-reason'), reasons.length ? reasons : (c.reason ? [[state.langs[0], String(c.reason)]] : []));
}

/** Texts in several languages, duplicates dropped, joined by " · ", each part marked with its language. */
function setMultiText(el, pairs) {
  const seen = new Set();
  const parts = [];
  for (const [l, text] of pairs) {
    if (seen.has(text)) continue;
    seen.add(text);
    if (parts.length) parts.push(document.createTextNode(' · '));
    parts.push(h('span', {lang: l}, text));
  }
  el.replaceChildren(...parts);
}

/** "Loket · Guichet · Counter" for the display languages (duplicates dropped), each part marked with its language. */
function setMulti(el, key) {
  setMultiText(el, state.langs.map((l) => [l, t(key, null, l)]));
}

function renderLabels() {
  $('#location-name').textContent = state.name;
  document.title = `${state.name} – ${t('display.title', null, state.langs[0])}`;
  setMulti($('#current-label'), 'display.now');
  setMulti($('#current-counter-label'), 'display.counter');
  setMulti($('#history-label'), 'display.previous');
  setMulti($('#waiting-label'), 'display.waiting');
  $('#total-label').textContent = `${t('display.total', null, state.langs[0])}:`;
  $('#waiting-none').textContent = t('display.nobody', null, state.langs[0]);
  $('#sound-hint').textContent = t('display.enableSound', null, state.langs[0]);
}

function orderedCalls() {
  const list = state.called;
  if (!state.pinned) return list;
  const i = list.findIndex((c) => c.ticket === state.pinned);
  return i > 0 ? [list[i], ...list.slice(0, i), ...list.slice(i + 1)] : list;
}

const historyRows = [];

function buildHistoryRows() {
  const ol = $('#history');
  for (let i = 0; i < HISTORY_ROWS; i++) {
    const num = h('span', {class: 'h-number'});
    const arrow = h('span', {class: 'h-arrow', 'aria-hidden': 'true'}, '→');
    const word = h('span', {class: 'visually-hidden'});
    const counter = h('span', {class: 'h-counter'});
    const li = h('li', {'data-testid': 'history-item', hidden: true}, num, arrow, h('span', {}, word, counter));
    ol.append(li);
    historyRows.push({li, num, word, counter});
  }
}

function renderCalls() {
  const list = orderedCalls();
  const cur = list[0];
  $('#current-number').textContent = cur ? cur.number : '—';
  $('#current-counter').textContent = cur ? cur.counter : '';
  $('#current-counter').classList.toggle('d-counter-long', Boolean(cur && cur.counter.length > 3));
  $('#current').dataset.ticket = cur ? cur.ticket : '';
  for (let i = 0; i < HISTORY_ROWS; i++) {
    const row = historyRows[i];
    const c = list[i + 1];
    row.li.hidden = !c;
    row.li.dataset.ticket = c ? c.ticket : '';
    row.num.textContent = c ? c.number : '';
    row.word.textContent = c ? `${t('display.counter', null, state.langs[0])} ` : '';
    row.counter.textContent = c ? c.counter : '';
  }
}

function renderWaiting() {
  const ul = $('#waiting');
  const items = state.waiting.filter((w) => Number(w.waiting) > 0).slice(0, MAX_WAITING_ROWS);
  // Reuse list items by position; add or remove only the difference.
  while (ul.children.length > items.length) ul.lastElementChild.remove();
  while (ul.children.length < items.length) {
    ul.append(h('li', {'data-testid': 'waiting-item'}, h('span', {class: 'w-name'}), h('span', {class: 'w-count'})));
  }
  items.forEach((w, i) => {
    const li = ul.children[i];
    li.dataset.service = w.service || '';
    li.firstElementChild.textContent = w.prefix ? `${w.prefix} · ${w.name || w.service}` : (w.name || w.service || '');
    li.lastElementChild.textContent = String(w.waiting);
  });
  $('#waiting-none').hidden = items.length > 0;
  $('#total-waiting').textContent = String(state.total);
}

let flashTimer = null;
function flash() {
  const el = $('#current');
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => el.classList.remove('flash'), 10_000);
}

function tick() {
  if (!clock.synced) return;
  $('#clock-time').textContent = clock.hm();
  const date = formatDate(clock.today(), {weekday: 'long', day: 'numeric', month: 'long'}, state.langs[0]);
  const el = $('#clock-date');
  if (el.textContent !== date) el.textContent = date;
}

/* ------------------------------------------------------------------ sound and speech */

let audio = null;
let soundOn = false;
const voices = new Map();   // lang → voice (or null)
let pending = 0;
let queue = Promise.resolve();

function enableSound() {
  try {
    if (!audio) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) audio = new Ctx();
    }
    audio?.resume?.().catch(() => {});
    if ('speechSynthesis' in window) {
      // Unlock speech with a silent utterance inside the user gesture.
      const u = new SpeechSynthesisUtterance(' ');
      u.volume = 0;
      speechSynthesis.speak(u);
    }
  } catch { /* no audio on this device */ }
  soundOn = true;
  $('#sound-hint').hidden = true;
  document.removeEventListener('pointerdown', enableSound, true);
  document.removeEventListener('keydown', enableSound, true);
}

function chime() {
  if (!audio || audio.state !== 'running') return 0;
  const t0 = audio.currentTime + 0.05;
  for (const [freq, at] of [[880, 0], [659.25, 0.5]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(0.35, t0 + at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 1.2);
    osc.connect(gain).connect(audio.destination);
    osc.onended = () => { osc.disconnect(); gain.disconnect(); };
    osc.start(t0 + at);
    osc.stop(t0 + at + 1.25);
  }
  return 1700;
}

function pickVoice(lang) {
  if (voices.has(lang)) return voices.get(lang);
  const all = speechSynthesis.getVoices();
  if (!all.length) return null; // not loaded yet; try again next time
  const norm = (v) => v.lang.replace('_', '-').toLowerCase();
  const want = LOCALES[lang].toLowerCase();
  const v = all.find((x) => norm(x) === want) || all.find((x) => norm(x).startsWith(`${lang}-`) || norm(x) === lang) || null;
  voices.set(lang, v);
  return v;
}

/** "A012" → "A 12": letters, then the number without leading zeros, as callers say it. */
function spokenNumber(number) {
  const m = /^([A-Za-z]*)0*(\d+)$/.exec(number);
  return m ? `${m[1].split('').join(' ')} ${m[2]}`.trim() : number;
}

function speak(text, lang) {
  return new Promise((resolve) => {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = LOCALES[lang];
    const v = pickVoice(lang);
    if (v) u.voice = v;
    u.rate = 0.9;
    const done = () => { clearTimeout(guard); resolve(); };
    const guard = setTimeout(done, 8000);  // some engines never fire 'end'
    u.onend = done;
    u.onerror = done;
    speechSynthesis.speak(u);
  });
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

function announce(call) {
  $('#announce').textContent = `${call.number} → ${t('display.counter', null, state.langs[0])} ${call.counter}`;
  if (!soundOn) return;
  if (pending >= MAX_PENDING_ANNOUNCEMENTS) return; // a burst of calls: the screen shows them anyway
  pending++;
  queue = queue.then(async () => {
    try {
      const ms = chime();
      await wait(ms || 200);
      if ('speechSynthesis' in window) {
        if (speechSynthesis.speaking && pending === 1) speechSynthesis.cancel(); // stuck engine
        for (const lang of state.langs) {
          await speak(t('display.spoken', {number: spokenNumber(call.number), counter: call.counter}, lang), lang);
        }
      }
      await wait(400);
    } catch { /* never let one failure stop later calls */ } finally {
      pending--;
    }
  });
}

/* ------------------------------------------------------------------ status */

function updateOffline() {
  $('#offline').hidden = sseOnline !== false && !fetchFailed;
}

function showFatal(text) {
  const el = $('#fatal');
  el.textContent = text;
  el.hidden = false;
}

/* ------------------------------------------------------------------ boot */

async function boot() {
  await loadAllLangs();
  buildHistoryRows();
  renderLabels();
  if (!locationId) {
    showFatal(t('display.unknownLocation', {id: ''}));
    return;
  }

  const autoSound = params.get('sound') === 'auto';
  if (autoSound) {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      audio = Ctx ? new Ctx() : null;
      if (audio && audio.state === 'running') soundOn = true;
    } catch { /* ignore */ }
  }
  if (!soundOn) {
    $('#sound-hint').hidden = false;
    document.addEventListener('pointerdown', enableSound, true);
    document.addEventListener('keydown', enableSound, true);
  }
  if ('speechSynthesis' in window) {
    speechSynthesis.addEventListener?.('voiceschanged', () => voices.clear());
  }

  await fetchDisplay();
  connectEvents(apiUrl(`/locations/${seg(locationId)}/events`), {
    handlers: {
      called: (d) => onCalled(d, false),
      recalled: (d) => onCalled(d, true),
      queue: onQueue,
      closure: () => fetchDisplay(),
    },
    onStatus: (online) => {
      sseOnline = online;
      updateOffline();
      if (online) fetchDisplay();   // catch up on whatever happened while away
    },
  });

  setInterval(tick, 1000);
  setInterval(fetchDisplay, REFRESH_MS);
}

boot().catch((e) => {
  console.error('display boot failed', e);
  $('#offline').hidden = false;
});
