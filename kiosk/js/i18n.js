// UI strings in nl (default), fr, en, de from /static/i18n/{lang}.json.
//
// Markup:  <h1 data-i18n="book.title">…</h1>
//          <input data-i18n-attr="placeholder:book.searchPlaceholder,aria-label:book.search">
// Code:    t('kiosk.ticket.position', {n: 3}), tn('book.search.count', 5), formatDate('2026-12-01')
// Language choice: ?lang= in the address bar, else the saved choice, else (optionally) the
// browser's languages, else nl. setLang() sets <html lang>, re-applies the markup and tells
// onLangChange listeners.

import {h} from './dom.js';

export const LANGS = ['nl', 'fr', 'en', 'de'];
export const LANG_NAMES = {nl: 'Nederlands', fr: 'Français', en: 'English', de: 'Deutsch'};
export const LOCALES = {nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB', de: 'de-BE'};
const STORAGE_KEY = 'loket.lang';

const dicts = {};
const listeners = new Set();
let current = 'nl';
let options = {persist: true, updateUrl: true};

export const isLang = (l) => LANGS.includes(l);
export const getLang = () => current;

/** Loads one language file (cached). Resolves to false when it could not be loaded. */
export async function loadLang(lang) {
  if (!isLang(lang)) return false;
  if (dicts[lang]) return true;
  try {
    const res = await fetch(`/static/i18n/${lang}.json`, {cache: 'no-cache'});
    if (!res.ok) return false;
    dicts[lang] = await res.json();
    return true;
  } catch {
    return false;
  }
}

export const loadAllLangs = () => Promise.all(LANGS.map(loadLang));
export const hasLang = (lang) => Boolean(dicts[lang]);

function lookup(dict, key) {
  let v = dict;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

function fill(s, vars) {
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
}

/** The text for key in lang (default: current), falling back to Dutch, then the key itself. */
export function t(key, vars, lang = current) {
  let v = lookup(dicts[lang], key);
  if (typeof v !== 'string') v = lookup(dicts.nl, key);
  if (typeof v !== 'string') v = key;
  return fill(v, vars);
}

/** True when key names a text (or a group of texts) in lang or in Dutch. */
export function hasText(key, lang = current) {
  const v = lookup(dicts[lang], key) ?? lookup(dicts.nl, key);
  return v !== undefined && v !== null;
}

/** Plural-aware: the key holds {"one": "...", "other": "..."}; {n} is filled in. */
export function tn(key, n, vars = {}, lang = current) {
  const cat = new Intl.PluralRules(LOCALES[lang] || 'nl-BE').select(n);
  const entry = lookup(dicts[lang], key) ?? lookup(dicts.nl, key);
  let s = key;
  if (entry && typeof entry === 'object') s = entry[cat] ?? entry.other ?? key;
  else if (typeof entry === 'string') s = entry;
  return fill(s, {n, ...vars});
}

/** Re-applies data-i18n / data-i18n-attr under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  const titleKey = document.documentElement.dataset.i18nTitle;
  if (titleKey && root === document) document.title = t(titleKey);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function pickInitial({fallback = 'nl', browser = false} = {}) {
  const param = new URLSearchParams(location.search).get('lang');
  if (isLang(param)) return param;
  if (options.persist) {
    try {
      const saved = localStorage.getItem(STORAGE_KEY);
      if (isLang(saved)) return saved;
    } catch { /* storage unavailable */ }
  }
  if (browser) {
    for (const l of navigator.languages || []) {
      const p = String(l).slice(0, 2).toLowerCase();
      if (isLang(p)) return p;
    }
  }
  return isLang(fallback) ? fallback : 'nl';
}

/**
 * Loads the first language and applies it. opts: persist (save choice in localStorage),
 * updateUrl (keep ?lang= in the address bar in step), browser (use navigator.languages),
 * fallback (default language), all (preload all four).
 */
export async function initI18n(opts = {}) {
  options = {persist: opts.persist ?? true, updateUrl: opts.updateUrl ?? true};
  const lang = pickInitial(opts);
  await Promise.all(opts.all ? [loadAllLangs()] : [loadLang('nl'), loadLang(lang)]);
  await setLang(lang, {silent: true});
  return current;
}

export async function setLang(lang, {silent = false} = {}) {
  if (!isLang(lang)) return;
  await loadLang(lang);
  const changed = lang !== current;
  current = lang;
  document.documentElement.lang = lang;
  applyI18n();
  if (options.persist) {
    try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* storage unavailable */ }
  }
  if (options.updateUrl) {
    const url = new URL(location.href);
    if (url.searchParams.get('lang') !== lang) {
      url.searchParams.set('lang', lang);
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    }
  }
  if (!silent || changed) for (const fn of listeners) fn(lang);
}

/** Renders the language buttons (each in its own language) into container. */
export function languageSwitcher(container, {label = 'common.language'} = {}) {
  if (!container) return;
  container.classList.add('lang-switch');
  const buttons = LANGS.map((l) => h('button', {
    type: 'button',
    class: 'lang-btn',
    lang: l,
    'data-testid': `lang-${l}`,
    'aria-pressed': String(l === current),
    onclick: () => setLang(l),
  }, h('span', {class: 'lang-code'}, l.toUpperCase()), h('span', {class: 'lang-name'}, LANG_NAMES[l])));
  const group = h('div', {role: 'group', 'data-i18n-attr': `aria-label:${label}`, 'aria-label': t(label)}, buttons);
  container.replaceChildren(group);
  onLangChange((lang) => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.lang === lang));
  });
}

/* ---- Formatting (dates are "YYYY-MM-DD"; times come from ISO strings as written) ---- */

export function formatDate(ymdStr, opts = {weekday: 'long', day: 'numeric', month: 'long', year: 'numeric'}, lang = current) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymdStr || '');
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(LOCALES[lang] || 'nl-BE', {...opts, timeZone: 'UTC'}).format(d);
}

export function formatMonth(y, m, lang = current) {
  return new Intl.DateTimeFormat(LOCALES[lang] || 'nl-BE', {month: 'long', year: 'numeric', timeZone: 'UTC'})
    .format(new Date(Date.UTC(y, m - 1, 1)));
}

/** Weekday names Monday..Sunday. */
export function weekdayNames(style = 'short', lang = current) {
  const f = new Intl.DateTimeFormat(LOCALES[lang] || 'nl-BE', {weekday: style, timeZone: 'UTC'});
  // 2024-01-01 was a Monday.
  return Array.from({length: 7}, (_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
}
