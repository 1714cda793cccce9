/* Problems in plain words: the one table that turns an API problem (application/problem+json,
 * thrown by api.js as an ApiError) into the title and sentences a page shows. Every page uses it;
 * what a page *does* about a problem (sign out, go out of service, reload a list) stays in the page.
 *
 * What the server sends: code, title, detail, status, fields (object), and only these string members:
 *   409 service_closed      nextOpening (ISO 8601 instant with offset), when known
 *   409 too_early           appointmentStart, checkInOpens
 *   409 too_late            appointmentStart
 *   409 appointment_missed  appointmentStart (the appointment was marked no-show)
 *   409 not_today           appointmentStart
 *   409 wrong_location      location, locationName, address, appointmentStart
 *   409 already_checked_in  number (when the ticket is known)
 *   409 cancelled
 *   404 not_found · 429 rate_limited (retryAfter) · 401 unauthorized · 403 forbidden
 *   422 validation_failed (fields) · 503 busy (Retry-After header)
 * and, for the counter and booking pages, 409 illegal_transition and contact_limit (no members);
 * for the waitlist, 409 waitlist_limit and offer_expired (no members);
 * for the admin page 409 closure_overlap, 409 affected_choice_required and 404 unknown_location
 * (the page itself reads `affected` of affected_choice_required, `fields` of a 422 and `errors`
 * of a failed reload).
 * Nothing else is read. No answer at all (status 0) and 502/503/504 all say `unreachable`.
 *
 * Words: each page keeps its own under one i18n branch (`texts`: 'kiosk.err', 'counter.err',
 * 'book.err', 'ticket.err'), one entry per stem of the table: either one sentence, or
 * {title, text, …} plus the further sentences the table names (tooEarly.from, notToday.on, …).
 * A stem the branch lacks falls back to the branch's `generic`. Every sentence may use {detail}
 * (the server's sentence, English), {service} and {reference}.
 *
 *   explainProblem(err, {texts: 'kiosk.err', reference: 'K7M-3QX'})
 *   // → {code: 'too_early', stem: 'tooEarly', title: 'U bent te vroeg',
 *   //    lines: ['U kunt zich aanmelden vanaf vandaag om 10:30.', 'Uw afspraak is vandaag om 11:00.'],
 *   //    text: 'U kunt zich … 11:00.'}
 */
import {t, hasText, formatDate, getLang} from './i18n.js';
import {wallDate, wallTime, clock} from './dom.js';

/** "vandaag om 10:30", or "woensdag 2 december om 08:30": the wall time written in the instant. */
export function whenText(iso, lang = getLang()) {
  if (!iso) return '';
  const day = wallDate(iso);
  const time = wallTime(iso);
  if (day === clock.today()) return t('common.todayAt', {time}, lang);
  return t('common.dateAt', {date: formatDate(day, {weekday: 'long', day: 'numeric', month: 'long'}, lang), time}, lang);
}

/**
 * code → stem (the entry in the page's branch) and, for entries with more than their `text`, the
 * sentences: [key below the branch, vars] or nothing. `p` holds the problem's members, `when`
 * formats an instant.
 */
const TABLE = {
  service_closed: {
    stem: 'serviceClosed',
    lines: (p, when) => [['serviceClosed.text'], p.nextOpening && ['serviceClosed.next', {when: when(p.nextOpening)}]],
  },
  too_early: {
    stem: 'tooEarly',
    lines: (p, when) => [
      p.checkInOpens ? ['tooEarly.from', {when: when(p.checkInOpens)}] : ['tooEarly.text'],
      p.appointmentStart && ['appointmentAt', {when: when(p.appointmentStart)}],
    ],
  },
  too_late: {stem: 'tooLate'},
  appointment_missed: {stem: 'appointmentMissed'},
  not_today: {
    stem: 'notToday',
    lines: (p, when) => [p.appointmentStart ? ['notToday.on', {when: when(p.appointmentStart)}] : ['notToday.text']],
  },
  wrong_location: {
    stem: 'wrongLocation',
    lines: (p, when) => [
      ['wrongLocation.text', {location: p.locationName || '', address: p.address || ''}],
      p.appointmentStart && ['appointmentAt', {when: when(p.appointmentStart)}],
    ],
  },
  already_checked_in: {
    stem: 'alreadyCheckedIn',
    lines: (p) => [['alreadyCheckedIn.text'], p.number && ['alreadyCheckedIn.number', {number: p.number}]],
  },
  cancelled: {stem: 'cancelled'},
  not_found: {stem: 'notFound'},
  // A reference the server cannot even read is one it cannot find; any other field: the page's fault.
  validation_failed: {stem: (p) => (p.fields && typeof p.fields === 'object' && 'reference' in p.fields ? 'notFound' : 'generic')},
  rate_limited: {stem: 'rateLimited'},
  unauthorized: {stem: 'unauthorized'},
  forbidden: {stem: 'forbidden'},
  illegal_transition: {stem: 'illegalTransition'},
  contact_limit: {stem: 'contactLimit'},
  waitlist_limit: {stem: 'waitlistLimit'},
  invalid_range: {stem: 'invalidRange'},
  offer_expired: {stem: 'offerExpired'},
  closure_overlap: {stem: 'closureOverlap'},
  affected_choice_required: {stem: 'affectedChoiceRequired'},
  unknown_location: {stem: 'unknownLocation'},
  unreachable: {stem: 'unreachable'},
  generic: {stem: 'generic'},
};

const UNREACHABLE = new Set([0, 502, 503, 504]);
const BY_STATUS = {401: 'unauthorized', 403: 'forbidden', 429: 'rate_limited'};

/** The table's row for a problem: by code, else by status; 400/404 about a known reference is "not found". */
function rowFor(status, code, reference) {
  if (UNREACHABLE.has(status)) return 'unreachable';
  if (Object.hasOwn(TABLE, code)) return code;
  if (BY_STATUS[status]) return BY_STATUS[status];
  if (reference && (status === 400 || status === 404)) return 'not_found';
  return 'generic';
}

/**
 * The title and sentences for a problem, in the page's words.
 * e: an ApiError, or a problem object as the server sends it ({status, code, …members}).
 * texts: the page's i18n branch; service, reference: what the request was about; lang: default current.
 * Returns {code, stem, title ('' when the page's words have none), lines, text (the lines joined)}.
 */
export function explainProblem(e, {texts, service = '', reference = '', lang = getLang()} = {}) {
  const status = typeof e?.status === 'number' ? e.status : -1;   // -1: not an answer (a bug, not an outage)
  const code = typeof e?.code === 'string' ? e.code : '';
  const p = e?.problem && typeof e.problem === 'object' ? e.problem : (e || {});
  const row = rowFor(status, code, reference);
  const entry = TABLE[row];
  const ownStem = typeof entry.stem === 'function' ? entry.stem(p) : entry.stem;
  const stem = hasText(`${texts}.${ownStem}`, lang) ? ownStem : 'generic';
  const vars = {detail: e?.detail || e?.title || e?.message || '', service, reference};
  const key = (k) => `${texts}.${k}`;
  const say = ([k, v]) => t(key(k), {...vars, ...v}, lang);

  // The page's words for a stem: one sentence, or {title, text, …}.
  const isEntry = hasText(key(`${stem}.text`), lang) || hasText(key(`${stem}.title`), lang);
  let lines = [[stem]];
  if (isEntry) {
    const wanted = entry.lines && stem === ownStem ? entry.lines(p, (iso) => whenText(iso, lang)) : [[`${stem}.text`]];
    lines = wanted.filter((l) => l && hasText(key(l[0]), lang));
  }
  const title = isEntry && hasText(key(`${stem}.title`), lang) ? t(key(`${stem}.title`), vars, lang) : '';
  const said = lines.map(say).map((l) => l.trim());
  return {code: code || row, stem, title, lines: said, text: said.join(' ')};
}

/** The sentences alone, for pages that show one line. */
export const problemText = (e, opts) => explainProblem(e, opts).text;
