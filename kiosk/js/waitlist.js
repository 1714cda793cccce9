/* Waitlist page — /w/{id}?token=…, the link in every waitlist mail.
 *
 * Shows the entry: what, where, the days asked for, the place in line, and the status. With an
 * open offer it shows the held slot, until when it is held, and Accept (POST accept with the
 * slot's start); Leave (DELETE, after a confirm step) while the entry waits or has an offer.
 * Nothing changes by opening the page: mail scanners follow links, so every change is a button.
 *
 * The token: taken from ?token= once, kept for this entry in localStorage, then dropped from the
 * address bar (like the kiosk's setup token), so it does not stay in the history or a screenshot.
 *
 * data-testid:
 *   lang-switch, lang-nl|fr|en|de, wl-error, wl-entry, wl-status-box, wl-status, wl-what, wl-where,
 *   wl-range, wl-position, wl-offer, wl-offer-when, wl-offer-until, btn-accept, wl-booked,
 *   wl-booked-text, wl-booked-link, btn-leave, leave-confirm, btn-leave-confirm, btn-leave-abort
 */
import {api, seg} from './api.js';
import {initI18n, getLang, t, languageSwitcher, onLangChange, formatDate} from './i18n.js';
import {$, pathSegment, store, focusEl, wallTime, clock} from './dom.js';
import {problemText, whenText} from './problems.js';

const POLL_MS = 30_000;
const id = pathSegment(1);
const local = store('local');
const tokenKey = `loket.waitlist.${id}`;
let token = '';
let entry = null;
let booked = null;   // the 201 answer of accept, kept to link to the appointment

function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl && fromUrl.trim()) local.set(tokenKey, fromUrl.trim());
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  token = local.get(tokenKey) || '';
}

function showError(text) {
  const box = $('#error');
  box.textContent = text;
  box.hidden = false;
}

const errorText = (e) => problemText(e, {texts: 'waitlist.err'});

async function load() {
  try {
    entry = await api(`/waitlist/${seg(id)}`, {query: {token, lang: getLang()}});
    $('#error').hidden = true;
    render();
  } catch (e) {
    $('#loading').hidden = true;
    showError(errorText(e));
  }
}

function render() {
  $('#loading').hidden = true;
  if (!entry) return;
  $('#entry').hidden = false;
  const e = entry;
  $('#what').textContent = e.persons > 1 ? `${e.serviceName || e.service} · ${t('waitlist.persons', {n: e.persons})}` : (e.serviceName || e.service);
  $('#where').textContent = e.locationName || e.location;
  $('#range').textContent = e.from === e.to ? formatDate(e.from) : t('waitlist.rangeText', {from: formatDate(e.from), to: formatDate(e.to)});
  const active = e.status === 'waiting' || e.status === 'offered';
  $('#position').textContent = active && e.position ? String(e.position) : '–';
  $('#position').hidden = !active;
  $('#position-label').hidden = !active;
  $('#status').textContent = t(`waitlist.status.${e.status}`);
  const box = $('#status-box');
  box.classList.toggle('notice-ok', e.status === 'offered' || e.status === 'booked');
  box.classList.toggle('notice-warn', e.status === 'expired');
  const offer = e.status === 'offered' ? e.offer : null;
  $('#offer').hidden = !offer;
  if (offer) {
    $('#offer-when').textContent = `${whenText(offer.start)} – ${wallTime(offer.end)}`;
    $('#offer-until').textContent = t('waitlist.offer.until', {when: whenText(offer.expiresAt)});
  }
  $('#leave-box').hidden = !active;
  if (!active) $('#leave-confirm').hidden = true;
  const ref = booked?.reference || e.appointment;
  $('#booked').hidden = e.status !== 'booked';
  if (e.status === 'booked') {
    $('#booked-text').textContent = t('waitlist.booked.text', {reference: ref || ''});
    const link = $('#booked-link');
    link.hidden = !booked;
    if (booked) {
      const u = new URL('/book', location.origin);
      u.searchParams.set('ref', booked.reference);
      u.searchParams.set('token', booked.manageToken);
      u.searchParams.set('lang', getLang());
      link.href = u.pathname + u.search;
    }
  }
}

async function accept() {
  if (!entry?.offer) return;
  const button = $('#btn-accept');
  button.disabled = true;
  try {
    booked = await api(`/waitlist/${seg(id)}/accept`, {method: 'POST', query: {token}, body: {start: entry.offer.start}});
    await load();
    focusEl($('#booked'));
  } catch (e) {
    showError(errorText(e));
    await load();
    focusEl($('#error'));
  } finally {
    button.disabled = false;
  }
}

async function leave() {
  try {
    entry = await api(`/waitlist/${seg(id)}`, {method: 'DELETE', query: {token, lang: getLang()}});
    render();
    focusEl($('#wl-heading'));
  } catch (e) {
    showError(errorText(e));
  }
}

async function boot() {
  takeToken();
  await initI18n({browser: true});
  languageSwitcher($('#lang-switch'));
  try {
    const health = await api('/health', {timeout: 5000});
    if (health?.now) clock.sync(health.now);
  } catch { /* the browser clock will do */ }
  $('#btn-accept').addEventListener('click', accept);
  $('#btn-leave').addEventListener('click', () => {
    $('#leave-confirm').hidden = false;
    focusEl($('#leave-question'));
  });
  $('#btn-leave-abort').addEventListener('click', () => {
    $('#leave-confirm').hidden = true;
    $('#btn-leave').focus();
  });
  $('#btn-leave-confirm').addEventListener('click', leave);
  onLangChange(() => load());
  if (!id || !token) {
    $('#loading').hidden = true;
    showError(t('waitlist.err.notFound'));
    return;
  }
  await load();
  // An offer can arrive or lapse while the page is open.
  setInterval(() => { if (entry && (entry.status === 'waiting' || entry.status === 'offered')) load(); }, POLL_MS);
}

boot().catch((e) => {
  console.error('waitlist boot failed', e);
  showError(t('waitlist.err.unreachable'));
});
