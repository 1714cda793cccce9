// Small DOM and time helpers shared by the pages. Text always goes in as text nodes.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/**
 * Creates an element. props: class, text, on<event> handlers, any attribute (true → present,
 * false/null/undefined → left out). Children: nodes or strings (added as text), arrays allowed.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The n-th path segment, decoded: for /kiosk/stadhuis, pathSegment(1) = 'stadhuis'. */
export function pathSegment(n) {
  const parts = location.pathname.split('/').filter(Boolean);
  try {
    return parts[n] ? decodeURIComponent(parts[n]) : '';
  } catch {
    return '';
  }
}

/** localStorage / sessionStorage that never throw (private mode, disabled storage). */
export function store(kind = 'local') {
  const s = () => (kind === 'session' ? window.sessionStorage : window.localStorage);
  return {
    get(k) { try { return s().getItem(k); } catch { return null; } },
    set(k, v) { try { s().setItem(k, v); } catch { /* storage unavailable */ } },
    remove(k) { try { s().removeItem(k); } catch { /* storage unavailable */ } },
  };
}

/** Moves focus to a heading or region after a view change (it needs tabindex="-1"). */
export function focusEl(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({preventScroll: true});
}

/* ---- Wall-clock time from ISO strings with offset ("2026-12-01T08:30:00+01:00") ---- */

/** "08:30" — the local wall time written in the ISO string, independent of the browser's zone. */
export function wallTime(iso) {
  const m = /T(\d{2}):(\d{2})/.exec(iso || '');
  return m ? `${m[1]}:${m[2]}` : '';
}

/** "2026-12-01" — the local wall date written in the ISO string. */
export function wallDate(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(iso || '');
  return m ? m[1] : '';
}

function offsetMinutes(iso) {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso || '');
  if (!m) return 0; // "Z" or no offset
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/**
 * The server's clock: pages sync it from /health (or /display) "now" and use it instead of the
 * browser clock for "today", waiting times and the display clock (the server may be pinned for demos).
 */
export const clock = {
  skew: 0,
  offset: 60,
  synced: false,
  sync(iso) {
    const t = Date.parse(iso || '');
    if (Number.isNaN(t)) return;
    this.skew = t - Date.now();
    this.offset = offsetMinutes(iso);
    this.synced = true;
  },
  /** Current instant (ms since epoch) on the server's clock. */
  nowMs() { return Date.now() + this.skew; },
  /** A Date whose UTC fields are the server's local wall time. */
  wall() { return new Date(this.nowMs() + this.offset * 60000); },
  /** "YYYY-MM-DD" today, server wall time. */
  today() { return this.wall().toISOString().slice(0, 10); },
  /** "HH:MM" now, server wall time. */
  hm() { return this.wall().toISOString().slice(11, 16); },
  /** Whole minutes from an ISO instant until now (server clock), never negative. */
  minutesSince(iso) {
    const t = Date.parse(iso || '');
    return Number.isNaN(t) ? null : Math.max(0, Math.floor((this.nowMs() - t) / 60000));
  },
};

/* ---- Calendar date arithmetic on "YYYY-MM-DD" strings (UTC based, no DST surprises) ---- */

export function ymd(y, m, d) {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}
export function parseYmd(s) {
  const [y, m, d] = s.split('-').map(Number);
  return {y, m, d};
}
export function daysInMonth(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
/** 0 = Monday ... 6 = Sunday */
export function weekdayMon0(s) {
  const {y, m, d} = parseYmd(s);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}
