/* Booking page — /book  (manage view: /book?ref=K7M-3QX&token=…)
 *
 * Steps: search the catalogue (or browse a category) → visit details (persons, extra services,
 * location) → month calendar and free times → contact form → confirmation. The manage view shows
 * an appointment and lets the citizen move it (new slot, POST reschedule) or cancel it (DELETE,
 * after a confirm step). Cancel and confirm are never plain GET links.
 *
 * Waitlist (SPEC §6): below the calendar of a one-service visit, "No time that suits?" opens a form
 * (the month shown, the persons and the visit prefilled; e-mail required, name optional) that joins
 * the waitlist (POST /waitlist) and then shows the joined state with the link to the waitlist page.
 * When the month shown has no free time the box says so.
 *
 * Mail (SPEC §6): the confirmation says where the confirmation mail went, showing the address the
 * server stored, so a typo shows; with only a phone number it says no mail will come, so keep the
 * link or print the page. After a move or cancel the manage view says a mail with the change went
 * to the appointment's address. These notes sit in live regions that are filled a moment after the
 * view appears, so a screen reader reads them after the heading that gets the focus.
 *
 * data-testid:
 *   lang-switch, lang-nl|fr|en|de, home-link, steps, page-error,
 *   view-search, service-search, category-chips, category-<categoryId>, results-status,
 *   service-results, service-<serviceId>, adding-note, btn-cancel-add,
 *   view-details, visit-items, item-<serviceId>, persons-<serviceId>, remove-<serviceId>,
 *   bring-<serviceId>, btn-add-item, total-duration, location-choice, location-<locationId>,
 *   location-error, no-location, btn-back-details, btn-to-calendar,
 *   view-calendar, calendar-summary, slot-taken-message, cal-prev, cal-next, cal-month, calendar,
 *   day-<YYYY-MM-DD>, cal-status, times-heading, times, slot-<HH:MM>, move-confirm,
 *   btn-move-confirm, btn-move-abort, btn-back-calendar,
 *   waitlist-box, waitlist-none, btn-waitlist, waitlist-form, waitlist-errors, wl-from, wl-to, wl-email, wl-name,
 *   btn-waitlist-join, waitlist-joined, waitlist-joined-text, waitlist-link,
 *   view-form, form-summary, form-errors, input-name, input-email, input-phone, input-lang,
 *   error-name, error-email, error-phone, error-contact, btn-back-form, btn-book,
 *   view-confirm, confirm-mail, confirm-email, booking-reference, booking-when, booking-location, booking-what, booking-bring,
 *   booking-qr, link-calendar, btn-print, manage-link, btn-copy-link, btn-new,
 *   view-manage, manage-notice, manage-message, manage-mail, manage-email, manage-reference, manage-status, manage-details, manage-when,
 *   manage-location, manage-what, manage-name, manage-bring, manage-qr, manage-calendar,
 *   btn-move, btn-cancel, cancel-confirm, btn-cancel-confirm, btn-cancel-abort, btn-new-manage
 */
import {api, apiUrl, seg, isAborted} from './api.js';
import {problemText} from './problems.js';
import {initI18n, getLang, t, tn, languageSwitcher, onLangChange, formatDate, formatMonth, weekdayNames, LANGS, LANG_NAMES} from './i18n.js';
import {$, $$, h, debounce, focusEl, wallTime, wallDate, clock, ymd, parseYmd, daysInMonth, weekdayMon0} from './dom.js';

const MAX_RESULTS = 50;
const MONTHS_AHEAD = 6;
const STEP_VIEWS = ['search', 'details', 'calendar', 'form'];
const VIEWS = [...STEP_VIEWS, 'confirm', 'manage'];
const ANNOUNCE_MS = 300;   // after the focus moved to the new view's heading

const state = {
  view: null,
  categories: [],
  locations: [],
  category: null,
  items: [],            // [{service: ServiceObject, persons}]
  location: null,
  adding: false,
  mode: 'book',         // 'book' | 'move'
  month: null,          // {y, m}
  slotsByDay: new Map(),
  day: null,
  slot: null,
  slotTaken: false,
  autoAdvance: 0,
  booked: null,         // the 201 answer
  contact: null,        // {email, phone} as typed in the form, for the confirmation
  ref: null,
  waitlistJoined: false, // joined from this calendar: the box shows the joined state
  token: null,
  appt: null,
  manageNote: null,     // what just happened on the manage view: {kind: 'moved'|'cancelled'}
};

let searchCtrl = null;
let availCtrl = null;
const catalogues = new Map();   // lang → Promise<[service]>

/* ------------------------------------------------------------------ navigation */

function canShow(view) {
  switch (view) {
    case 'search': return true;
    case 'details': return state.items.length > 0;
    case 'calendar': return state.items.length > 0 && Boolean(state.location);
    case 'form': return state.mode === 'book' && Boolean(state.slot);
    case 'confirm': return Boolean(state.booked);
    case 'manage': return Boolean(state.ref && state.token);
    default: return false;
  }
}

function go(view, {push = true, replace = false, focus = true} = {}) {
  if (!canShow(view)) view = state.ref && state.token ? 'manage' : 'search';
  state.view = view;
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
  $('#loading').hidden = true;
  hidePageError();
  const steps = $('#steps');
  const stepIdx = STEP_VIEWS.indexOf(view);
  steps.hidden = stepIdx < 0 || state.mode === 'move';
  $$('li', steps).forEach((li, i) => {
    if (i === stepIdx) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
    li.classList.toggle('done', i < stepIdx);
  });
  if (replace) history.replaceState({view}, '', location.href);
  else if (push) history.pushState({view}, '', location.href);
  render(view);
  window.scrollTo(0, 0);
  if (focus) focusEl($(`#view-${view} h1`));
}

function render(view) {
  switch (view) {
    case 'search': renderSearchView(); break;
    case 'details': renderDetails(); break;
    case 'calendar': renderCalendarView(); break;
    case 'form': renderForm(); break;
    case 'confirm': renderConfirm(); break;
    case 'manage': renderManage(); break;
    default:
  }
}

window.addEventListener('popstate', (e) => {
  let v = e.state?.view;
  state.adding = false;
  // Walk back to the nearest step that still makes sense.
  const order = ['form', 'calendar', 'details', 'search'];
  if (v && !canShow(v) && order.includes(v)) v = order.slice(order.indexOf(v)).find(canShow);
  if (v === 'calendar' && state.mode === 'move' && !state.appt) v = 'manage';
  if (v === 'manage' || !v) state.mode = 'book';
  go(v || (state.ref ? 'manage' : 'search'), {push: false});
});

function showPageError(text) {
  const el = $('#page-error');
  el.textContent = text;
  el.hidden = false;
  el.scrollIntoView?.({block: 'nearest'});
}
function hidePageError() { $('#page-error').hidden = true; }

/** The page's sentence for a failed request; reference: the appointment it was about, if any. */
const errorText = (e, reference = '') => problemText(e, {texts: 'book.err', reference});

/** A translated sentence as nodes, with elements in its {slots}: the e-mail address in <strong>. */
function sentence(key, slots) {
  return t(key).split(/\{(\w+)\}/).map((part, i) => (i % 2 ? slots[part] ?? `{${part}}` : part));
}

/**
 * Shows box (a notice inside a role="status" region that is always there) a moment after a view
 * change: a region that appears together with its text is often not read out. fill(box) puts the
 * text in and returns false when there is nothing to say.
 */
function announce(box, fill) {
  clearTimeout(box.announceTimer);
  box.hidden = true;
  if (!fill) return;
  box.announceTimer = setTimeout(() => { box.hidden = fill(box) === false; }, ANNOUNCE_MS);
}

const emailNode = (email, testid) => h('strong', {class: 'mail-address', 'data-testid': testid}, email);

/* ------------------------------------------------------------------ data */

async function loadCategories() {
  try {
    state.categories = await api('/categories', {query: {lang: getLang()}}) || [];
  } catch (e) {
    state.categories = [];
    if (!isAborted(e)) showPageError(errorText(e));
  }
}

async function loadLocations() {
  state.locations = await api('/locations', {query: {lang: getLang()}}) || [];
}

const locationById = (id) => state.locations.find((l) => l.id === id) || null;

/** The bookable catalogue in one language, fetched once: browsing a category filters it locally. */
function catalogue(lang = getLang()) {
  if (!catalogues.has(lang)) {
    const p = api('/services', {query: {channel: 'appointment', lang}, timeout: 20000}).then((l) => l || []);
    p.catch(() => catalogues.delete(lang));
    catalogues.set(lang, p);
  }
  return catalogues.get(lang);
}

/** One service in the current language (null when it cannot be read). */
async function serviceById(id) {
  try {
    return await api(`/services/${seg(id)}`, {query: {lang: getLang()}});
  } catch {
    return null;
  }
}

/** Replaces the item service objects with those in the current language. */
async function refreshItems() {
  if (!state.items.length) return;
  const fresh = await Promise.all(state.items.map((it) => serviceById(it.service.id)));
  state.items = state.items.map((it, i) => ({...it, service: fresh[i] || it.service}));
}

const minutesOf = (items) => items.reduce((n, it) => n + (Number(it.service.durationMinutes) || 0) * it.persons, 0);

function itemsLabel(items) {
  return items.map((it) => (it.persons > 1
    ? t('book.itemPersons', {name: it.service.name || it.service.id, n: it.persons})
    : it.service.name || it.service.id)).join(', ');
}

function whenText(start, end) {
  const date = formatDate(wallDate(start));
  return end ? t('book.whenRange', {date, from: wallTime(start), to: wallTime(end)}) : t('book.whenAt', {date, time: wallTime(start)});
}

function locationText(id) {
  const l = locationById(id);
  if (!l) return id || '';
  return l.address ? `${l.name}, ${l.address}` : l.name;
}

/* ------------------------------------------------------------------ 1. search */

function renderSearchView() {
  $('#adding-note').hidden = !state.adding;
  renderChips();
  runSearch();
}

function renderChips() {
  $('#chips').replaceChildren(...state.categories.map((c) => h('button', {
    type: 'button',
    class: 'chip',
    'data-testid': `category-${c.id}`,
    'aria-pressed': String(state.category === c.id),
    onclick: () => {
      state.category = state.category === c.id ? null : c.id;
      renderChips();
      runSearch();
    },
  }, c.name)));
}

const debouncedSearch = debounce(() => runSearch(), 250);

async function runSearch() {
  const q = $('#service-search').value.trim();
  const cat = state.category;
  searchCtrl?.abort();
  debouncedSearch.cancel();
  const status = $('#results-status');
  if (!q && !cat) {
    $('#results').replaceChildren();
    status.textContent = '';
    return;
  }
  searchCtrl = new AbortController();
  const ctrl = searchCtrl;
  status.textContent = t('book.search.searching');
  try {
    // Text: the server's ranked, diacritics-insensitive search. Category only: the cached catalogue.
    const list = q
      ? await api('/services', {query: {q, channel: 'appointment', lang: getLang()}, signal: ctrl.signal})
      : await catalogue();
    if (ctrl.signal.aborted) return;
    renderResults(filterResults(Array.isArray(list) ? list : [], cat));
  } catch (e) {
    if (isAborted(e)) return;
    status.textContent = '';
    showPageError(errorText(e));
  }
}

function filterResults(list, cat) {
  let out = list.filter((s) => !Array.isArray(s.channels) || s.channels.includes('appointment'));
  if (cat) out = out.filter((s) => s.category === cat);
  if (state.adding) {
    const chosen = new Set(state.items.map((it) => it.service.id));
    const places = commonLocations();
    out = out.filter((s) => !chosen.has(s.id) && (s.locations || []).some((l) => places.includes(l)));
  }
  return out;
}

function renderResults(list) {
  const shown = list.slice(0, MAX_RESULTS);
  $('#results').replaceChildren(...shown.map((s) => h('li', {},
    h('button', {type: 'button', class: 'svc-card', 'data-testid': `service-${s.id}`, onclick: () => chooseService(s)},
      h('span', {class: 'svc-title'}, s.name),
      h('span', {class: 'svc-meta'}, [s.categoryName, s.durationMinutes ? t('book.minutesPerPerson', {n: s.durationMinutes}) : null].filter(Boolean).join(' · '))))));
  const status = $('#results-status');
  if (!list.length) status.textContent = t('book.search.none');
  else if (list.length > MAX_RESULTS) status.textContent = t('book.search.many', {n: MAX_RESULTS, total: list.length});
  else status.textContent = tn('book.search.count', list.length);
}

function chooseService(s) {
  if (state.adding) {
    state.items.push({service: s, persons: 1});
    state.adding = false;
  } else {
    state.items = [{service: s, persons: 1}];
    state.location = null;
  }
  state.day = null;
  state.slot = null;
  go('details');
}

/* ------------------------------------------------------------------ 2. details */

function commonLocations() {
  if (!state.items.length) return [];
  return state.items.map((it) => it.service.locations || [])
    .reduce((acc, l) => acc.filter((x) => l.includes(x)));
}

function renderDetails() {
  const single = state.items.length === 1;
  $('#details-heading').textContent = single ? state.items[0].service.name : t('book.details.title');
  $('#items').replaceChildren(...state.items.map((it, idx) => {
    const s = it.service;
    const max = Math.max(1, Number(s.maxPersons) || 1);
    const selId = `persons-${idx}`;
    const persons = h('select', {id: selId, 'data-testid': `persons-${s.id}`},
      Array.from({length: max}, (_, i) => h('option', {value: i + 1, selected: i + 1 === it.persons}, String(i + 1))));
    persons.addEventListener('change', () => {
      it.persons = Number(persons.value) || 1;
      state.day = null;
      state.slot = null;
      $('#total-duration').textContent = t('book.details.total', {n: minutesOf(state.items)});
    });
    return h('li', {class: 'item', 'data-testid': `item-${s.id}`},
      single ? null : h('h2', {}, s.name),
      h('p', {class: 'muted'}, [s.categoryName, s.durationMinutes ? t('book.minutesPerPerson', {n: s.durationMinutes}) : null].filter(Boolean).join(' · ')),
      s.bring ? h('div', {class: 'bring', 'data-testid': `bring-${s.id}`}, h('h3', {}, t('book.confirm.bring')), h('p', {}, s.bring)) : null,
      h('div', {class: 'item-row'},
        max > 1
          ? h('div', {class: 'field'}, h('label', {for: selId}, t('book.details.persons')), persons)
          : h('p', {class: 'muted'}, t('book.details.onePerson')),
        state.items.length > 1
          ? h('button', {type: 'button', class: 'btn', 'data-testid': `remove-${s.id}`, onclick: () => removeItem(idx)},
            t('book.details.remove', {name: s.name}))
          : null));
  }));
  $('#total-duration').textContent = t('book.details.total', {n: minutesOf(state.items)});

  const places = commonLocations();
  const list = state.locations.filter((l) => places.includes(l.id));
  for (const id of places) if (!list.some((l) => l.id === id)) list.push({id, name: id});
  if (!places.includes(state.location)) state.location = list.length === 1 ? list[0].id : null;
  $('#locations').replaceChildren(
    h('p', {id: 'location-error', class: 'field-error', hidden: true, 'data-testid': 'location-error'}),
    ...list.map((l) => {
      const input = h('input', {type: 'radio', name: 'location', value: l.id, id: `loc-${l.id}`, 'data-testid': `location-${l.id}`, checked: state.location === l.id});
      input.addEventListener('change', () => {
        state.location = l.id;
        state.day = null;
        state.slot = null;
        $('#location-error').hidden = true;
      });
      return h('label', {class: 'choice', for: `loc-${l.id}`}, input,
        h('span', {}, h('span', {}, l.name), l.address ? h('span', {class: 'addr'}, l.address) : null));
    }));
  $('#location-choice').hidden = list.length === 0;
  $('#no-location').hidden = list.length > 0;
  $('#btn-to-calendar').disabled = list.length === 0;
  $('#btn-add-item').hidden = state.items.length >= 5;
}

function removeItem(idx) {
  state.items.splice(idx, 1);
  state.day = null;
  state.slot = null;
  renderDetails();
  focusEl($('#details-heading'));
}

function toCalendar() {
  if (!state.location) {
    const err = $('#location-error');
    err.textContent = t('book.details.chooseLocation');
    err.hidden = false;
    $('#locations input')?.focus();
    return;
  }
  state.autoAdvance = 2;
  state.month = null;
  state.waitlistJoined = false;
  delete $('#waitlist-form').dataset.touched;
  $('#waitlist-form').hidden = true;
  $('#btn-waitlist').setAttribute('aria-expanded', 'false');
  go('calendar');
}

/* ------------------------------------------------------------------ 3. calendar */

function monthBounds() {
  const today = parseYmd(clock.today());
  return {min: {y: today.y, m: today.m}, maxIndex: today.y * 12 + today.m - 1 + MONTHS_AHEAD};
}

function renderCalendarView() {
  const l = locationById(state.location);
  $('#calendar-summary').textContent = `${itemsLabel(state.items)} · ${l ? l.name : state.location}`;
  $('#calendar-heading').textContent = t(state.mode === 'move' ? 'book.manage.moveTitle' : 'book.calendar.title');
  $('#btn-back-calendar').textContent = t(state.mode === 'move' ? 'common.cancel' : 'common.back');
  $('#move-confirm').hidden = true;
  const msg = $('#slot-message');
  msg.hidden = !state.slotTaken;
  msg.textContent = state.slotTaken ? t('book.calendar.taken') : '';
  if (!state.month) {
    const d = state.day ? parseYmd(state.day) : parseYmd(clock.today());
    state.month = {y: d.y, m: d.m};
  }
  renderWaitlistBox();
  $('#cal-weekdays').replaceChildren(...weekdayNames('short').map((n, i) =>
    h('th', {scope: 'col', abbr: weekdayNames('long')[i]}, n)));
  loadMonth();
}

function shiftMonth(delta, {auto = false} = {}) {
  const idx = state.month.y * 12 + state.month.m - 1 + delta;
  state.month = {y: Math.floor(idx / 12), m: (idx % 12) + 1};
  if (!auto) state.autoAdvance = 0;
  loadMonth();
}

async function loadMonth() {
  const {y, m} = state.month;
  const today = clock.today();
  const first = ymd(y, m, 1);
  const last = ymd(y, m, daysInMonth(y, m));
  const from = first < today ? today : first;
  const {min, maxIndex} = monthBounds();
  const idx = y * 12 + m - 1;
  $('#cal-prev').disabled = idx <= min.y * 12 + min.m - 1;
  $('#cal-next').disabled = idx >= maxIndex;
  $('#cal-month').textContent = formatMonth(y, m);
  state.slotsByDay = new Map();
  renderGrid(true);
  $('#times-section').hidden = true;

  availCtrl?.abort();
  if (last < today) return;
  availCtrl = new AbortController();
  const status = $('#cal-status');
  status.textContent = t('book.calendar.loading');
  const query = {location: state.location, from, to: last};
  if (state.items.length === 1) {
    query.service = state.items[0].service.id;
    query.persons = state.items[0].persons;
  } else {
    query.items = state.items.map((it) => `${it.service.id}:${it.persons}`).join(',');
  }
  try {
    const res = await api('/availability', {query, signal: availCtrl.signal, timeout: 20000});
    for (const s of res?.slots || []) {
      const d = wallDate(s.start);
      if (!state.slotsByDay.has(d)) state.slotsByDay.set(d, []);
      state.slotsByDay.get(d).push(s);
    }
  } catch (e) {
    if (isAborted(e)) return;
    status.textContent = '';
    if (e.status === 400 || e.status === 422) status.textContent = t('book.calendar.noneMonth', {month: formatMonth(y, m)});
    else showPageError(errorText(e));
    renderGrid(false);
    return;
  }
  for (const list of state.slotsByDay.values()) list.sort((a, b) => a.start.localeCompare(b.start));
  const days = state.slotsByDay.size;
  if (!days && state.autoAdvance > 0 && idx < maxIndex) {
    state.autoAdvance--;
    shiftMonth(1, {auto: true});
    return;
  }
  state.autoAdvance = 0;
  $('#waitlist-none').hidden = days > 0;
  prefillWaitlist();
  status.textContent = days ? tn('book.calendar.daysFree', days, {month: formatMonth(y, m)}) : t('book.calendar.noneMonth', {month: formatMonth(y, m)});
  if (state.day && !state.slotsByDay.has(state.day)) state.day = null;
  renderGrid(false);
  if (state.day) renderTimes(false);
}

function renderGrid(loading) {
  const {y, m} = state.month;
  const today = clock.today();
  const n = daysInMonth(y, m);
  const lead = weekdayMon0(ymd(y, m, 1));
  const rows = [];
  let cells = [];
  for (let i = 0; i < lead; i++) cells.push(h('td', {}));
  for (let d = 1; d <= n; d++) {
    const date = ymd(y, m, d);
    const slots = state.slotsByDay.get(date);
    const free = slots ? slots.length : 0;
    const label = `${formatDate(date)}, ${loading ? t('book.calendar.loadingShort') : free ? tn('book.calendar.freeTimes', free) : t('book.calendar.noTimes')}`;
    cells.push(h('td', {}, h('button', {
      type: 'button',
      class: `day${date === today ? ' today' : ''}`,
      'data-testid': `day-${date}`,
      'data-date': date,
      disabled: !free,
      'aria-pressed': String(state.day === date),
      'aria-label': label,
      onclick: () => chooseDay(date),
    }, String(d))));
    if (cells.length === 7) {
      rows.push(h('tr', {}, cells));
      cells = [];
    }
  }
  if (cells.length) {
    while (cells.length < 7) cells.push(h('td', {}));
    rows.push(h('tr', {}, cells));
  }
  $('#cal-body').replaceChildren(...rows);
}

function chooseDay(date) {
  state.day = date;
  for (const b of $$('#cal-body .day')) b.setAttribute('aria-pressed', String(b.dataset.date === date));
  $('#move-confirm').hidden = true;
  renderTimes(true);
}

function renderTimes(focus) {
  const slots = state.slotsByDay.get(state.day) || [];
  $('#times-heading').textContent = t('book.calendar.timesOn', {date: formatDate(state.day)});
  $('#times').replaceChildren(...slots.map((s) => {
    const hm = wallTime(s.start);
    return h('button', {
      type: 'button',
      class: 'btn time-btn',
      'data-testid': `slot-${hm}`,
      'aria-pressed': String(state.slot?.start === s.start),
      onclick: () => chooseSlot(s),
    }, hm);
  }));
  $('#times-section').hidden = false;
  if (focus) {
    focusEl($('#times-heading'));
    $('#times-heading').scrollIntoView?.({block: 'start', behavior: 'smooth'});
  }
}

function chooseSlot(slot) {
  state.slot = slot;
  state.slotTaken = false;
  $('#slot-message').hidden = true;
  for (const b of $$('#times .time-btn')) b.setAttribute('aria-pressed', String(b.textContent === wallTime(slot.start)));
  if (state.mode === 'move') {
    $('#move-confirm-text').textContent = t('book.manage.moveQuestion', {when: whenText(slot.start, slot.end)});
    $('#move-confirm').hidden = false;
    focusEl($('#move-confirm-text'));
    $('#move-confirm').scrollIntoView?.({block: 'nearest'});
    return;
  }
  go('form');
}

/* ------------------------------------------------------------------ 3b. waitlist */

/** Shown for a one-service visit while booking (not while moving); a fresh form each time. */
function renderWaitlistBox() {
  const box = $('#waitlist-box');
  box.hidden = !(state.mode === 'book' && state.items.length === 1);
  $('#waitlist-none').hidden = true;
  if (!state.waitlistJoined) {
    $('#waitlist-joined').hidden = true;
    $('#btn-waitlist').hidden = false;
  }
}

/** The month shown (from today), unless the citizen already typed dates. */
function prefillWaitlist() {
  if (!state.month || $('#waitlist-form').dataset.touched) return;
  const {y, m} = state.month;
  const today = clock.today();
  const first = ymd(y, m, 1);
  $('#wl-from').value = first < today ? today : first;
  $('#wl-to').value = ymd(y, m, daysInMonth(y, m));
}

function openWaitlist() {
  const form = $('#waitlist-form');
  form.hidden = false;
  $('#btn-waitlist').setAttribute('aria-expanded', 'true');
  prefillWaitlist();
  if (!$('#wl-email').value && state.contact?.email) $('#wl-email').value = state.contact.email;
  $('#wl-from').focus();
}

async function joinWaitlist(ev) {
  ev.preventDefault();
  const errors = $('#waitlist-errors');
  const from = $('#wl-from').value, to = $('#wl-to').value;
  const email = $('#wl-email').value.trim(), name = $('#wl-name').value.trim();
  const problems = [];
  for (const el of ['#wl-from', '#wl-to', '#wl-email']) $(el).removeAttribute('aria-invalid');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    problems.push(t('book.waitlist.errEmail'));
    $('#wl-email').setAttribute('aria-invalid', 'true');
  }
  if (!from || !to || to < from) {
    problems.push(t('book.waitlist.errRange'));
    $('#wl-to').setAttribute('aria-invalid', 'true');
  }
  if (problems.length) {
    errors.replaceChildren(...problems.map((p) => h('p', {}, p)));
    errors.hidden = false;
    focusEl(errors);
    return;
  }
  errors.hidden = true;
  const item = state.items[0];
  const body = {service: item.service.id, location: state.location, from, to, persons: item.persons, email, lang: getLang()};
  if (name) body.name = name;
  const button = $('#btn-waitlist-join');
  button.disabled = true;
  try {
    const joined = await api('/waitlist', {method: 'POST', body});
    state.waitlistJoined = true;
    $('#waitlist-form').hidden = true;
    $('#btn-waitlist').hidden = true;
    $('#btn-waitlist').setAttribute('aria-expanded', 'false');
    $('#waitlist-joined-text').textContent = t('book.waitlist.joinedText', {email});
    const u = new URL(`/w/${seg(joined.id)}`, location.origin);
    u.searchParams.set('token', joined.token);
    u.searchParams.set('lang', getLang());
    $('#waitlist-link').href = u.pathname + u.search;
    $('#waitlist-joined').hidden = false;
    focusEl($('#waitlist-joined'));
  } catch (e) {
    errors.replaceChildren(h('p', {}, problemText(e, {texts: 'book.waitlist.err'})));
    errors.hidden = false;
    focusEl(errors);
  } finally {
    button.disabled = false;
  }
}

/* ------------------------------------------------------------------ 4. form */

function renderForm() {
  const s = state.slot;
  $('#form-summary').replaceChildren(
    h('p', {}, h('strong', {}, itemsLabel(state.items))),
    h('p', {}, whenText(s.start, s.end)),
    h('p', {}, locationText(state.location)));
  const sel = $('#input-lang');
  const chosen = sel.value || getLang();
  sel.replaceChildren(...LANGS.map((l) => h('option', {value: l, lang: l, selected: l === chosen}, LANG_NAMES[l])));
}

const FIELDS = {name: '#input-name', email: '#input-email', phone: '#input-phone'};

function clearErrors() {
  for (const f of ['name', 'email', 'phone', 'contact']) {
    const p = $(`#err-${f}`);
    p.textContent = '';
    p.hidden = true;
  }
  for (const sel of Object.values(FIELDS)) $(sel).removeAttribute('aria-invalid');
  $('#form-errors').hidden = true;
  $('#form-errors-list').replaceChildren();
}

function showErrors(errors) {
  // errors: [{field: 'name'|'email'|'phone'|'contact'|other, message}]
  const list = [];
  for (const {field, message} of errors) {
    const p = $(`#err-${field}`);
    if (p) {
      p.textContent = message;
      p.hidden = false;
    }
    const target = FIELDS[field] || (field === 'contact' ? FIELDS.email : null);
    if (FIELDS[field]) $(FIELDS[field]).setAttribute('aria-invalid', 'true');
    if (field === 'contact') {
      $(FIELDS.email).setAttribute('aria-invalid', 'true');
      $(FIELDS.phone).setAttribute('aria-invalid', 'true');
    }
    list.push(h('li', {}, target
      ? h('a', {href: target, onclick: (e) => { e.preventDefault(); $(target).focus(); }}, message)
      : message));
  }
  $('#form-errors-list').replaceChildren(...list);
  $('#form-errors').hidden = list.length === 0;
  if (list.length) focusEl($('#form-errors'));
}

function validate() {
  const name = $('#input-name').value.trim();
  const email = $('#input-email').value.trim();
  const phone = $('#input-phone').value.trim();
  const errors = [];
  if (!name) errors.push({field: 'name', message: t('book.form.err.name')});
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email)) errors.push({field: 'email', message: t('book.form.err.email')});
  if (phone && !/^\+?[0-9 ./()-]{8,}$/.test(phone)) errors.push({field: 'phone', message: t('book.form.err.phone')});
  if (!email && !phone) errors.push({field: 'contact', message: t('book.form.err.contact')});
  return {errors, name, email, phone};
}

async function submitBooking(ev) {
  ev.preventDefault();
  clearErrors();
  hidePageError();
  const {errors, name, email, phone} = validate();
  if (errors.length) return showErrors(errors);
  const btn = $('#btn-book');
  if (btn.disabled) return undefined;
  btn.disabled = true;
  const body = {location: state.location, start: state.slot.start, name, lang: $('#input-lang').value || getLang()};
  if (state.items.length === 1) {
    body.service = state.items[0].service.id;
    body.persons = state.items[0].persons;
  } else {
    body.items = state.items.map((it) => ({service: it.service.id, persons: it.persons}));
  }
  if (email) body.email = email;
  if (phone) body.phone = phone;
  try {
    state.booked = await api('/appointments', {method: 'POST', body, timeout: 20000});
    state.contact = {email, phone};
    state.slot = null;
    state.day = null;
    go('confirm', {replace: true});
  } catch (e) {
    if (e.code === 'slot_unavailable') {
      state.slotTaken = true;
      state.slot = null;
      history.back();   // to the calendar, which reloads the free times
    } else if (e.code === 'validation_failed' || e.status === 422) {
      const f = e.fields || {};
      // Known fields get our own words in the page language; others show the server's text.
      const ours = {name: 'book.form.err.name', email: 'book.form.err.email', phone: 'book.form.err.phone', contact: 'book.form.err.contact'};
      const mapped = Object.entries(f).map(([field, message]) => ({field, message: ours[field] ? t(ours[field]) : String(message)}));
      showErrors(mapped.length ? mapped : [{field: 'form', message: e.detail || t('book.form.err.generic')}]);
    } else {
      showPageError(errorText(e));
    }
  } finally {
    btn.disabled = false;
  }
  return undefined;
}

/* ------------------------------------------------------------------ 5. confirmation */

function manageUrl(ref, token, lang) {
  const u = new URL('/book', location.origin);
  u.searchParams.set('ref', ref);
  u.searchParams.set('token', token);
  if (lang) u.searchParams.set('lang', lang);
  return u.href;
}

function icsUrl(ref, token) {
  return apiUrl(`/appointments/${seg(ref)}/calendar.ics`, {token});
}

function renderBring(box, container, items) {
  const withBring = items.filter((it) => it.service.bring);
  container.replaceChildren(...withBring.map((it) => h('div', {},
    withBring.length > 1 ? h('h3', {}, it.service.name) : null,
    h('p', {}, it.service.bring))));
  box.hidden = withBring.length === 0;
}

function renderConfirm() {
  const b = state.booked;
  const url = manageUrl(b.reference, b.manageToken, b.lang || getLang());
  $('#booking-reference').textContent = b.reference;
  $('#booking-when').textContent = whenText(b.start, b.end);
  $('#booking-location').textContent = locationText(b.location || state.location);
  $('#booking-what').textContent = itemsLabel(state.items);
  renderBring($('#booking-bring-box'), $('#booking-bring'), state.items);
  const qr = $('#booking-qr');
  // The kiosk only needs the reference; the manage token stays out of a code people show in public.
  qr.src = apiUrl('/qr.svg', {data: b.reference});
  qr.alt = t('book.confirm.qrAlt', {reference: b.reference});
  const cal = $('#link-calendar');
  cal.href = icsUrl(b.reference, b.manageToken);
  cal.setAttribute('download', `afspraak-${b.reference}.ics`);
  const link = $('#manage-link');
  link.href = url;
  link.textContent = url;
  $('#copy-status').textContent = '';
  renderConfirmMail(b);
}

/** Where the confirmation mail went (the address the server stored), or that none will come. */
function renderConfirmMail(b) {
  const email = b.email || state.contact?.email || '';
  announce($('#confirm-mail'), (box) => {
    box.classList.toggle('notice-ok', Boolean(email));
    box.classList.toggle('notice-warn', !email);
    box.replaceChildren(...(email
      ? [h('p', {}, sentence('book.confirm.mailSent', {email: emailNode(email, 'confirm-email')})),
        h('p', {class: 'small'}, t('book.confirm.mailCheck'))]
      : [h('p', {}, t('book.confirm.noMail'))]));
  });
}

async function copyLink() {
  const url = $('#manage-link').href;
  try {
    await navigator.clipboard.writeText(url);
    $('#copy-status').textContent = t('book.confirm.copied');
  } catch {
    const r = document.createRange();
    r.selectNodeContents($('#manage-link'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
    $('#copy-status').textContent = t('book.confirm.copyManually');
  }
}

/* ------------------------------------------------------------------ manage */

function apptItems(a) {
  if (Array.isArray(a.items) && a.items.length) return a.items.map((it) => ({id: it.service, persons: Number(it.persons) || 1, name: it.serviceName}));
  return [{id: a.service, persons: Number(a.persons) || 1, name: a.serviceName}];
}

/** Loads the appointment; resolves to an error text, or null when it worked. */
async function loadAppointment() {
  try {
    state.appt = await api(`/appointments/${seg(state.ref)}`, {query: {token: state.token}});
  } catch (e) {
    state.appt = null;
    return errorText(e, state.ref);
  }
  await manageItems();
  return null;
}

/** Items of the appointment as {service: ServiceObject, persons}: names and "what to bring" in this language. */
async function manageItems() {
  const raw = apptItems(state.appt);
  const services = await Promise.all(raw.map((r) => serviceById(r.id)));
  state.items = raw.map((r, i) => ({
    persons: r.persons,
    service: services[i] || {id: r.id, name: r.name || r.id, locations: [state.appt.location]},
  }));
}

function statusText(s) {
  const key = `book.status.${s}`;
  const v = t(key);
  return v === key ? s : v;
}

function renderManage() {
  const a = state.appt;
  $('#manage-card').hidden = !a;
  if (!a) return;
  $('#manage-reference').textContent = a.reference;
  $('#manage-status').textContent = statusText(a.status);
  $('#manage-when').textContent = whenText(a.start, a.end);
  $('#manage-location').textContent = locationText(a.location);
  // A video appointment has its own meeting room; only the citizen (with the token) and staff see it.
  const meeting = a.status === 'booked' ? a.meetingUrl : null;
  $('#manage-meeting-label').hidden = !meeting;
  $('#manage-meeting').hidden = !meeting;
  if (meeting) $('#manage-meeting-link').href = meeting;
  $('#manage-what').textContent = itemsLabel(state.items);
  $('#manage-name').textContent = a.name || '';
  const active = a.status === 'booked';
  renderBring($('#manage-bring-box'), $('#manage-bring'), active ? state.items : []);
  $('#manage-active').hidden = !active;
  $('#cancel-confirm').hidden = true;
  renderManageNote();
  if (active) {
    const qr = $('#manage-qr');
    const src = apiUrl('/qr.svg', {data: a.reference});
    if (qr.getAttribute('src') !== src) qr.src = src;
    qr.alt = t('book.confirm.qrAlt', {reference: a.reference});
    const cal = $('#manage-calendar');
    cal.href = icsUrl(a.reference, state.token);
    cal.setAttribute('download', `afspraak-${a.reference}.ics`);
  }
}

/** What the citizen just did (moved, cancelled) and whether a mail about it went out. */
function renderManageNote() {
  const note = state.manageNote;
  const a = state.appt;
  announce($('#manage-notice'), note && a && (() => {
    $('#manage-message').textContent = note.kind === 'moved'
      ? t('book.manage.moved', {when: whenText(a.start, a.end)})
      : t('book.manage.cancelled');
    const mail = $('#manage-mail');
    if (a.email) mail.replaceChildren(...sentence('book.manage.mailSent', {email: emailNode(a.email, 'manage-email')}));
    else mail.textContent = note.kind === 'moved' ? t('book.manage.noMailMoved') : '';
    mail.hidden = !mail.textContent;
  }));
}

async function cancelAppointment() {
  const btn = $('#btn-cancel-confirm');
  if (btn.disabled) return;
  btn.disabled = true;
  try {
    state.appt = await api(`/appointments/${seg(state.ref)}`, {method: 'DELETE', query: {token: state.token}});
    state.manageNote = {kind: 'cancelled'};
    renderManage();
    focusEl($('#manage-heading'));
  } catch (e) {
    showPageError(errorText(e, state.ref));
  } finally {
    btn.disabled = false;
  }
}

function startMove() {
  state.manageNote = null;
  renderManageNote();
  state.mode = 'move';
  state.location = state.appt.location;
  state.day = null;
  state.slot = null;
  state.slotTaken = false;
  state.month = null;
  state.autoAdvance = 2;
  go('calendar');
}

async function confirmMove() {
  const btn = $('#btn-move-confirm');
  if (btn.disabled || !state.slot) return;
  btn.disabled = true;
  try {
    state.appt = await api(`/appointments/${seg(state.ref)}/reschedule`, {method: 'POST', query: {token: state.token}, body: {start: state.slot.start}});
    state.mode = 'book';
    state.slot = null;
    state.manageNote = {kind: 'moved'};
    go('manage', {replace: true});
  } catch (e) {
    if (e.code === 'slot_unavailable') {
      state.slotTaken = true;
      state.slot = null;
      $('#move-confirm').hidden = true;
      const msg = $('#slot-message');
      msg.textContent = t('book.calendar.taken');
      msg.hidden = false;
      focusEl(msg);
      loadMonth();
    } else {
      showPageError(errorText(e, state.ref));
    }
  } finally {
    btn.disabled = false;
  }
}

/* ------------------------------------------------------------------ boot */

async function onLanguage() {
  await Promise.all([loadCategories(), loadLocations().catch(() => {})]);
  await refreshItems();
  if (state.view) render(state.view);
}

function wire() {
  $('#search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });
  $('#service-search').addEventListener('input', () => debouncedSearch());
  $('#btn-cancel-add').addEventListener('click', () => { state.adding = false; history.back(); });
  $('#btn-add-item').addEventListener('click', () => {
    state.adding = true;
    $('#service-search').value = '';
    state.category = null;
    go('search');
  });
  $('#btn-back-details').addEventListener('click', () => history.back());
  $('#btn-to-calendar').addEventListener('click', toCalendar);
  $('#cal-prev').addEventListener('click', () => shiftMonth(-1));
  $('#cal-next').addEventListener('click', () => shiftMonth(1));
  $('#btn-back-calendar').addEventListener('click', () => history.back());
  $('#btn-move-confirm').addEventListener('click', confirmMove);
  $('#btn-move-abort').addEventListener('click', () => {
    $('#move-confirm').hidden = true;
    state.slot = null;
    for (const b of $$('#times .time-btn')) b.setAttribute('aria-pressed', 'false');
    focusEl($('#times-heading'));
  });
  $('#booking-form').addEventListener('submit', submitBooking);
  $('#btn-waitlist').addEventListener('click', openWaitlist);
  $('#waitlist-form').addEventListener('submit', joinWaitlist);
  for (const el of ['#wl-from', '#wl-to']) $(el).addEventListener('input', () => { $('#waitlist-form').dataset.touched = '1'; });
  $('#btn-back-form').addEventListener('click', () => history.back());
  $('#btn-copy-link').addEventListener('click', copyLink);
  $('#btn-print').addEventListener('click', () => window.print());
  $('#btn-move').addEventListener('click', startMove);
  $('#btn-cancel').addEventListener('click', () => {
    $('#cancel-confirm').hidden = false;
    focusEl($('#cancel-confirm-text'));
  });
  $('#btn-cancel-abort').addEventListener('click', () => {
    $('#cancel-confirm').hidden = true;
    $('#btn-cancel').focus();
  });
  $('#btn-cancel-confirm').addEventListener('click', cancelAppointment);
  for (const sel of Object.values(FIELDS)) {
    $(sel).addEventListener('input', (e) => {
      if (e.target.getAttribute('aria-invalid') === 'true') {
        e.target.removeAttribute('aria-invalid');
        const f = Object.keys(FIELDS).find((k) => FIELDS[k] === sel);
        $(`#err-${f}`).hidden = true;
      }
    });
  }
}

async function boot() {
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  wire();
  const params = new URLSearchParams(location.search);
  state.ref = params.get('ref');
  state.token = params.get('token');
  try {
    const health = await api('/health', {timeout: 5000});
    if (health?.now) clock.sync(health.now);
  } catch { /* fall back to the browser clock */ }
  let bootError = null;
  try {
    await loadLocations();
  } catch (e) {
    bootError = errorText(e);
  }
  onLangChange(() => { onLanguage(); });

  if (state.ref && state.token) {
    const err = await loadAppointment();
    go('manage', {replace: true, focus: false});
    if (err || bootError) showPageError(err || bootError);
    return;
  }
  await loadCategories();
  go('search', {replace: true, focus: false});
  if (bootError) showPageError(bootError);
}

boot().catch((e) => {
  console.error('booking boot failed', e);
  showPageError(t('book.err.unreachable'));
  $('#loading').hidden = true;
});
