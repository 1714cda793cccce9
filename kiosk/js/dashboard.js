/* The manager's dashboard on /admin: today, history, tokens and the audit log.
 *
 * admin.js owns sign-in, the location picker and the page's notices; it hands this module what it
 * needs (createDashboard) and tells it when the admin enters, picks another location, switches
 * language or signs out. Sections:
 *   - today (chosen location), live: GET /stats/day (its averages, served, no-shows), the queue
 *     (waiting per service, the longest wait) and the counters with their state. The location's
 *     event stream (sse.js) triggers a debounced refetch on queue, called, recalled, counter and
 *     ticket events; the longest wait is redrawn every 30 s on the server's clock.
 *   - history: GET /stats/range?from&to&location&by=day|week, drawn as two inline-SVG charts
 *     (charts.js: title, text summary, table of the numbers), and "Download CSV" (GET
 *     /stats/export.csv with the bearer token, saved under the name in Content-Disposition).
 *   - tokens: GET/POST/DELETE /admin/tokens. A new token is shown once, in a box that is emptied
 *     when the admin leaves it (Done), signs out or adds another.
 *   - audit log: GET /audit?date&actor&action (action is a prefix, e.g. "closure.").
 * Times are shown in the chosen location's zone. None of these APIs carries personal data.
 *
 * data-testid (besides those in admin.html):
 *   today-figure-<key> (tickets, waiting, longest, avgWait, avgService, served, noShowRate),
 *   today-service-<serviceId>, today-counter-<counterId>, history-volume, history-wait (charts,
 *   with -svg, -summary, -table), token-row-<name>, btn-revoke-<name>, audit-row
 */
import {api, apiUrl, seg, isAborted, isOutage} from './api.js';
import {t, tn, getLang, LOCALES} from './i18n.js';
import {$, h, debounce, clock, focusEl} from './dom.js';
import {connectEvents} from './sse.js';
import {problemText} from './problems.js';
import {chartFigure} from './charts.js';

const pad = (n) => String(n).padStart(2, '0');
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** "YYYY-MM-DD" of a UTC-based Date. */
const ymdOf = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const parseDay = (s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
};
const addDays = (s, n) => ymdOf(new Date(parseDay(s).getTime() + n * 86400000));

/** "YYYY-MM-DD" today in zone tz, on the server's clock. */
function todayIn(tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit'})
    .formatToParts(new Date(clock.nowMs())).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

const locale = () => LOCALES[getLang()] || 'nl-BE';
const number = (v, digits = 1) => new Intl.NumberFormat(locale(), {maximumFractionDigits: digits}).format(v);

/** A civil day as "di 1 dec." (short) in the page's language. */
function dayLabel(s, opts = {weekday: 'short', day: 'numeric', month: 'short'}) {
  const d = parseDay(s);
  return d ? new Intl.DateTimeFormat(locale(), {...opts, timeZone: 'UTC'}).format(d) : s;
}

/** ISO week number of a civil day. */
function isoWeek(s) {
  const d = parseDay(s);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((d - firstThursday) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}

/**
 * The dashboard. ctx: token() → bearer token, location() → chosen id, zone() → its time zone,
 * serviceName(id), onError(e) (admin.js: sign out on 401/403, else its notice), announce(text).
 */
export function createDashboard(ctx) {
  const st = {
    on: false,
    today: null,          // {stats, queue, counters} of ctx.location()
    todayError: '',
    stream: null,
    streamLocation: null,
    tick: null,
    history: null,        // the stats/range answer, with the query it answered
    historyError: '',
    tokens: null,
    tokensError: '',
    audit: null,
    auditError: '',
    gen: 0,
  };

  /* ------------------------------------------------------------ helpers */

  function errorText(e) {
    if (isOutage(e)) return t('admin.err.unreachable');
    return problemText(e, {texts: 'admin.err'});
  }

  /** Handles a failed load: sign-out problems go to admin.js; the rest is the section's to show. */
  function failed(e) {
    if (isAborted(e)) return null;
    if (e?.status === 401 || e?.status === 403) {
      ctx.onError(e);
      return null;
    }
    if (isOutage(e)) $('#offline').hidden = false;
    return errorText(e);
  }

  function setState(id, text, kind = 'muted') {
    const el = $(`#${id}`);
    el.textContent = text || '';
    el.hidden = !text;
    el.className = kind === 'error' ? 'field-error' : 'muted';
    el.dataset.state = kind === 'error' ? 'error' : text ? 'info' : 'ready';
  }

  const when = (iso) => {
    const ms = Date.parse(iso || '');
    return Number.isNaN(ms) ? '—' : new Intl.DateTimeFormat(locale(), {timeZone: ctx.zone(), day: 'numeric', month: 'short',
      year: 'numeric', hour: '2-digit', minute: '2-digit'}).format(new Date(ms));
  };
  const timeOnly = (iso) => {
    const ms = Date.parse(iso || '');
    return Number.isNaN(ms) ? '—' : new Intl.DateTimeFormat(locale(), {timeZone: ctx.zone(), hour: '2-digit', minute: '2-digit',
      second: '2-digit'}).format(new Date(ms));
  };
  const minutes = (v) => (isNum(v) ? t('admin.today.minutes', {n: number(v)}) : '—');

  /* ------------------------------------------------------------ today, live */

  const refetchToday = debounce(() => loadToday(), 400);

  async function loadToday() {
    const loc = ctx.location();
    if (!st.on || !loc) return;
    const gen = st.gen;
    try {
      const date = todayIn(ctx.zone());
      const [stats, queue, counters] = await Promise.all([
        api('/stats/day', {token: ctx.token(), query: {date}}),
        api(`/locations/${seg(loc)}/queue`, {token: ctx.token(), query: {lang: getLang()}}),
        api(`/locations/${seg(loc)}/counters`, {token: ctx.token(), query: {lang: getLang()}}),
      ]);
      if (gen !== st.gen || loc !== ctx.location()) return;
      st.today = {stats: (stats || []).find((s) => s.location === loc) || null, queue: queue || {}, counters: counters || [],
        at: new Date(clock.nowMs()).toISOString()};
      st.todayError = '';
      $('#offline').hidden = true;
    } catch (e) {
      if (gen !== st.gen) return;
      const text = failed(e);
      if (text === null) return;
      st.todayError = t('admin.loadFailed', {detail: text});
    }
    renderToday();
  }

  function connect() {
    const loc = ctx.location();
    if (st.stream && st.streamLocation === loc) return;
    if (st.stream) st.stream.close();
    st.stream = null;
    st.streamLocation = loc;
    if (!loc) return;
    const again = () => refetchToday();
    st.stream = connectEvents(`/api/v1/locations/${seg(loc)}/events`, {
      handlers: {queue: again, called: again, recalled: again, counter: again, ticket: again},
      onStatus: (online) => {
        $('#today-live').textContent = online ? t('admin.today.live') : t('admin.today.notLive');
        $('#today-live').dataset.online = online ? 'true' : 'false';
        if (online) refetchToday();
      },
    });
  }

  /** Figures of today's data: what the cards and tables show. */
  function todayFigures() {
    const s = st.today?.stats || {};
    const waiting = st.today?.queue?.waiting || [];
    const longestBy = new Map();
    let longest = null;
    for (const tk of waiting) {
      const m = clock.minutesSince(tk.waitingSince);
      if (m === null) continue;
      longest = longest === null ? m : Math.max(longest, m);
      longestBy.set(tk.service, Math.max(longestBy.get(tk.service) ?? 0, m));
    }
    const ended = (s.served || 0) + (s.noShows || 0);
    return {
      tickets: s.tickets ?? 0,
      waiting: waiting.length,
      longest,
      longestBy,
      avgWait: s.averageWaitMinutes ?? null,
      avgService: s.averageServiceMinutes ?? null,
      served: s.served ?? 0,
      noShows: s.noShows ?? 0,
      noShowRate: ended > 0 ? (s.noShows || 0) / ended : null,
    };
  }

  function renderToday() {
    if (st.todayError) setState('today-state', st.todayError, 'error');
    else setState('today-state', st.today ? '' : t('common.loading'));
    const box = $('#today-figures');
    const body = $('#today-body');
    body.hidden = !st.today;
    if (!st.today) return;
    const f = todayFigures();
    const pct = f.noShowRate === null ? '—'
      : new Intl.NumberFormat(locale(), {style: 'percent', maximumFractionDigits: 0}).format(f.noShowRate);
    const cards = [
      ['waiting', number(f.waiting, 0)],
      ['longest', f.longest === null ? '—' : minutes(f.longest)],
      ['avgWait', minutes(f.avgWait)],
      ['avgService', minutes(f.avgService)],
      ['tickets', number(f.tickets, 0)],
      ['served', number(f.served, 0)],
      ['noShowRate', f.noShows ? `${pct} (${number(f.noShows, 0)})` : pct],
    ];
    box.replaceChildren(...cards.map(([key, value]) => h('div', {class: 'figure', 'data-testid': `today-figure-${key}`},
      h('dt', {}, t(`admin.today.fig.${key}`)), h('dd', {}, value))));

    const byService = (st.today.queue.byService || []).filter((x) => x.waiting > 0);
    $('#today-services-empty').hidden = byService.length > 0;
    $('#today-services-table').hidden = byService.length === 0;
    $('#today-services').replaceChildren(...byService.map((x) => h('tr', {'data-testid': `today-service-${x.service}`},
      h('th', {scope: 'row'}, x.name || ctx.serviceName(x.service)),
      h('td', {class: 'num'}, number(x.waiting, 0)),
      h('td', {class: 'num'}, f.longestBy.has(x.service) ? minutes(f.longestBy.get(x.service)) : '—'))));

    const counters = st.today.counters || [];
    $('#today-counters-empty').hidden = counters.length > 0;
    $('#today-counters-table').hidden = counters.length === 0;
    $('#today-counters').replaceChildren(...counters.map((c) => h('tr', {'data-testid': `today-counter-${c.id}`},
      h('th', {scope: 'row'}, c.name || c.id),
      h('td', {}, h('span', {class: `state state-${c.state}`}, t(`admin.today.state.${c.state}`))),
      h('td', {}, c.current?.number || '—'),
      h('td', {}, c.pauseReason || ''))));
    $('#today-updated').textContent = t('admin.today.updated', {time: timeOnly(st.today.at)});
  }

  /* ------------------------------------------------------------ history */

  function historyQuery() {
    return {from: $('#history-from').value, to: $('#history-to').value, by: $('#history-by').value, location: ctx.location()};
  }

  function fillHistoryDefaults() {
    const today = todayIn(ctx.zone());
    if (!$('#history-to').value) $('#history-to').value = today;
    if (!$('#history-from').value) $('#history-from').value = addDays(today, -27);
  }

  async function loadHistory() {
    const q = historyQuery();
    if (!q.location) return;
    const from = parseDay(q.from);
    const to = parseDay(q.to);
    if (!from || !to || from > to) {
      st.history = null;
      st.historyError = t('admin.history.badRange');
      renderHistory();
      focusEl($('#history-state'));
      return;
    }
    const gen = st.gen;
    st.historyError = '';
    setState('history-state', t('common.loading'));
    try {
      const answer = await api('/stats/range', {token: ctx.token(), query: q, timeout: 20000});
      if (gen !== st.gen) return;
      st.history = {query: q, answer: answer || {}};
    } catch (e) {
      if (gen !== st.gen) return;
      const text = failed(e);
      if (text === null) return;
      st.history = null;
      st.historyError = e?.status === 404 && !e?.code?.startsWith('unknown_')
        ? t('admin.history.unavailable') : t('admin.loadFailed', {detail: text});
    }
    renderHistory();
    ctx.announce(st.historyError || $('#history-volume-summary')?.textContent || '');
  }

  function periodLabel(period, by) {
    if (by === 'week') return t('admin.history.week', {n: isoWeek(period), day: dayLabel(period, {day: 'numeric', month: 'short'})});
    return dayLabel(period);
  }

  function renderHistory() {
    const out = $('#history-charts');
    if (st.historyError) {
      setState('history-state', st.historyError, 'error');
      out.replaceChildren();
      return;
    }
    if (!st.history) {
      setState('history-state', '');
      out.replaceChildren();
      return;
    }
    const {query, answer} = st.history;
    const totals = (answer.totals || []).filter((r) => !r.location || r.location === query.location)
      .sort((a, b) => String(a.period).localeCompare(String(b.period)));
    if (!totals.length) {
      setState('history-state', t('admin.history.empty'));
      out.replaceChildren();
      return;
    }
    setState('history-state', '');
    const by = answer.by || query.by;
    const labels = totals.map((r) => periodLabel(r.period, by));
    const sum = (k) => totals.reduce((n, r) => n + (r[k] || 0), 0);
    const busiest = totals.reduce((a, r) => ((r.tickets || 0) > (a.tickets || 0) ? r : a), totals[0]);
    const range = {from: dayLabel(answer.from || query.from, {day: 'numeric', month: 'short', year: 'numeric'}),
      to: dayLabel(answer.to || query.to, {day: 'numeric', month: 'short', year: 'numeric'})};
    const volumeSummary = t('admin.history.volumeSummary', {...range, tickets: number(sum('tickets'), 0), served: number(sum('served'), 0),
      noShows: number(sum('noShows'), 0), appointments: number(sum('appointments'), 0),
      busiest: periodLabel(busiest.period, by), most: number(busiest.tickets || 0, 0)});
    const p50 = totals.map((r) => r.waitMinutesP50).filter(isNum);
    const p90 = totals.map((r) => r.waitMinutesP90).filter(isNum);
    const waitSummary = p50.length
      ? t('admin.history.waitSummary', {...range, minP50: number(Math.min(...p50)), maxP50: number(Math.max(...p50)),
        maxP90: p90.length ? number(Math.max(...p90)) : '—'})
      : t('admin.history.noWait');
    const periodCol = t(by === 'week' ? 'admin.history.colWeek' : 'admin.history.colDay');
    out.replaceChildren(
      chartFigure({id: 'history-volume', kind: 'bars', title: t(by === 'week' ? 'admin.history.volumeWeek' : 'admin.history.volumeDay'),
        summary: volumeSummary, periodLabel: periodCol, labels,
        series: [{label: t('admin.history.tickets'), values: totals.map((r) => r.tickets ?? 0)},
          {label: t('admin.history.served'), values: totals.map((r) => r.served ?? 0)},
          {label: t('admin.history.noShows'), values: totals.map((r) => r.noShows ?? 0)}],
        format: (v) => number(v, 0), integers: true}),
      chartFigure({id: 'history-wait', kind: 'lines', title: t('admin.history.waitTitle'), summary: waitSummary,
        periodLabel: periodCol, labels, unit: t('admin.history.min'),
        series: [{label: t('admin.history.p50'), values: totals.map((r) => r.waitMinutesP50 ?? null)},
          {label: t('admin.history.p90'), values: totals.map((r) => r.waitMinutesP90 ?? null)}],
        format: (v) => number(v)}));
  }

  /** Downloads the CSV export for the range with the bearer token, under the server's file name. */
  async function downloadCsv(button) {
    const q = historyQuery();
    if (!parseDay(q.from) || !parseDay(q.to)) {
      setState('history-state', t('admin.history.badRange'), 'error');
      return;
    }
    button.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      let res;
      try {
        res = await fetch(apiUrl('/stats/export.csv', {from: q.from, to: q.to, location: q.location, lang: getLang()}),
          {headers: {Authorization: `Bearer ${ctx.token()}`}, cache: 'no-store'});
      } catch {
        setState('history-state', t('admin.err.unreachable'), 'error');
        return;
      }
      if (res.status === 401 || res.status === 403) {
        ctx.onError({status: res.status});
        return;
      }
      if (!res.ok) {
        setState('history-state', res.status === 404 ? t('admin.history.csvUnavailable') : t('admin.history.csvFailed',
          {status: res.status}), 'error');
        return;
      }
      const blob = await res.blob();
      const disposition = res.headers.get('Content-Disposition') || '';
      const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition) || /filename="?([^";]+)"?/i.exec(disposition);
      let name = `loket-${q.location}-${q.from}-${q.to}.csv`;
      if (m) {
        try { name = decodeURIComponent(m[1]); } catch { name = m[1]; }
      }
      const url = URL.createObjectURL(blob);
      const a = h('a', {href: url, download: name.replace(/[\\/]/g, '_'), hidden: true});
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      ctx.announce(t('admin.history.csvDone', {name}));
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  /* ------------------------------------------------------------ tokens */

  async function loadTokens() {
    try {
      st.tokens = await api('/admin/tokens', {token: ctx.token()}) || [];
      st.tokensError = '';
    } catch (e) {
      const text = failed(e);
      if (text === null) return;
      st.tokens = null;
      st.tokensError = t('admin.loadFailed', {detail: text});
    }
    renderTokens();
  }

  function renderTokens() {
    if (st.tokensError) setState('tokens-state', st.tokensError, 'error');
    else if (!st.tokens) setState('tokens-state', t('common.loading'));
    else setState('tokens-state', st.tokens.length ? '' : t('admin.tokens.empty'));
    const list = st.tokens || [];
    $('#tokens-table').hidden = list.length === 0;
    const count = new Map();
    for (const tk of list) if (!tk.revoked) count.set(tk.name, (count.get(tk.name) || 0) + 1);
    const shown = new Set();
    $('#tokens-list').replaceChildren(...list.map((tk) => {
      let action = '';
      // One revoke button per live name: a revoke ends every token with that name.
      if (!tk.revoked && !shown.has(tk.name)) {
        shown.add(tk.name);
        action = h('button', {type: 'button', class: 'btn btn-small btn-danger', 'data-testid': `btn-revoke-${tk.name}`,
          onclick: (ev) => revoke(tk.name, count.get(tk.name), ev.currentTarget)},
        count.get(tk.name) > 1 ? t('admin.tokens.revokeAll', {n: count.get(tk.name)}) : t('admin.tokens.revoke'),
        h('span', {class: 'visually-hidden'}, ` ${tk.name}`));
      }
      return h('tr', {'data-testid': `token-row-${tk.name}`, 'data-revoked': tk.revoked ? 'true' : 'false'},
        h('th', {scope: 'row'}, tk.name),
        h('td', {}, t(`admin.tokens.role.${tk.role}`)),
        h('td', {}, when(tk.createdAt)),
        h('td', {}, tk.lastUsedAt ? when(tk.lastUsedAt) : t('admin.tokens.never')),
        h('td', {}, tk.revoked ? t('admin.tokens.revoked') : t('admin.tokens.active')),
        h('td', {}, action));
    }));
  }

  function clearNewToken() {
    $('#token-new-value').value = '';
    $('#token-new').hidden = true;
  }

  async function addToken(ev) {
    ev.preventDefault();
    const name = $('#token-name').value.trim();
    const role = $('#token-role').value;
    const err = $('#token-name-error');
    err.hidden = true;
    $('#token-name').removeAttribute('aria-invalid');
    clearNewToken();
    if (!name || name.length > 100) {
      err.textContent = t('admin.tokens.nameRule');
      err.hidden = false;
      $('#token-name').setAttribute('aria-invalid', 'true');
      $('#token-name').focus();
      return;
    }
    const button = $('#btn-token-add');
    button.disabled = true;
    try {
      const made = await api('/admin/tokens', {method: 'POST', token: ctx.token(), body: {name, role}});
      $('#token-new-text').textContent = t('admin.tokens.newText', {name: made.name, role: t(`admin.tokens.role.${made.role}`)});
      $('#token-new-value').value = made.token;
      $('#token-new').hidden = false;
      $('#token-name').value = '';
      focusEl($('#token-new-title'));
      loadTokens();
    } catch (e) {
      const text = failed(e);
      if (text === null) return;
      err.textContent = e?.fields?.name ? t('admin.tokens.nameRule') : text;
      err.hidden = false;
      $('#token-name').setAttribute('aria-invalid', 'true');
      $('#token-name').focus();
    } finally {
      button.disabled = false;
    }
  }

  async function copyToken() {
    const input = $('#token-new-value');
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      ctx.announce(t('admin.tokens.copied'));
    } catch {
      ctx.announce(t('admin.tokens.copyManually'));
    }
  }

  async function revoke(name, n, button) {
    // eslint-disable-next-line no-alert
    if (!window.confirm(t('admin.tokens.confirm', {name, n: n || 1}))) return;
    button.disabled = true;
    try {
      await api(`/admin/tokens/${seg(name)}`, {method: 'DELETE', token: ctx.token()});
      setState('tokens-state', '');
      ctx.announce(t('admin.tokens.revokedSay', {name}));
      await loadTokens();
      focusEl($('#tokens-title'));
    } catch (e) {
      button.disabled = false;
      const text = failed(e);
      if (text !== null) setState('tokens-state', text, 'error');
    }
  }

  /* ------------------------------------------------------------ audit */

  async function loadAudit(ev) {
    ev?.preventDefault();
    const date = $('#audit-date').value || todayIn(ctx.zone());
    const actor = $('#audit-actor').value.trim();
    const action = $('#audit-action').value.trim();
    setState('audit-state', t('common.loading'));
    try {
      st.audit = await api('/audit', {token: ctx.token(), query: {date, actor: actor || undefined, action: action || undefined}}) || [];
      st.auditError = '';
    } catch (e) {
      const text = failed(e);
      if (text === null) return;
      st.audit = null;
      st.auditError = t('admin.loadFailed', {detail: text});
    }
    renderAudit();
    if (ev) ctx.announce(st.auditError || tn('admin.audit.count', (st.audit || []).length));
  }

  function renderAudit() {
    if (st.auditError) setState('audit-state', st.auditError, 'error');
    else if (!st.audit) setState('audit-state', '');
    else setState('audit-state', st.audit.length ? tn('admin.audit.count', st.audit.length) : t('admin.audit.empty'));
    const list = (st.audit || []).slice().reverse();
    $('#audit-table').hidden = list.length === 0;
    $('#audit-list').replaceChildren(...list.map((a) => h('tr', {'data-testid': 'audit-row', 'data-action': a.action},
      h('td', {class: 'mono'}, timeOnly(a.at)),
      h('td', {}, a.actor),
      h('td', {class: 'mono'}, a.action),
      h('td', {}, a.subject || ''),
      h('td', {}, a.detail || ''))));
  }

  /* ------------------------------------------------------------ wiring */

  let wired = false;
  function wire() {
    if (wired) return;
    wired = true;
    $('#history-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadHistory(); });
    $('#btn-history-csv').addEventListener('click', (ev) => downloadCsv(ev.currentTarget));
    $('#token-form').addEventListener('submit', addToken);
    $('#btn-token-copy').addEventListener('click', copyToken);
    $('#btn-token-done').addEventListener('click', () => { clearNewToken(); $('#token-name').focus(); });
    $('#audit-form').addEventListener('submit', loadAudit);
    $('#btn-today-refresh').addEventListener('click', () => loadToday());
  }

  return {
    /** After sign-in: every section loads. */
    start() {
      wire();
      st.on = true;
      st.gen += 1;
      clearNewToken();
      $('#audit-date').value = todayIn(ctx.zone());
      fillHistoryDefaults();
      clearInterval(st.tick);
      st.tick = setInterval(() => { if (st.today) renderToday(); }, 30000);
      loadTokens();
      loadAudit();
    },
    /** Another location is chosen (also the first one after sign-in). */
    setLocation() {
      if (!st.on) return;
      st.gen += 1;
      st.today = null;
      st.todayError = '';
      st.history = null;
      st.historyError = '';
      renderToday();
      renderHistory();
      connect();
      loadToday();
      fillHistoryDefaults();
      loadHistory();
    },
    /** The language changed: redraw what is loaded in the new words. */
    render() {
      if (!st.on) return;
      renderToday();
      renderHistory();
      renderTokens();
      renderAudit();
      if (st.stream) $('#today-live').textContent = st.stream.online ? t('admin.today.live') : t('admin.today.notLive');
      loadToday();
    },
    /** Sign-out: nothing of the session stays, above all not a token shown once. */
    stop() {
      st.on = false;
      st.gen += 1;
      clearInterval(st.tick);
      refetchToday.cancel();
      if (st.stream) st.stream.close();
      Object.assign(st, {stream: null, streamLocation: null, today: null, history: null, tokens: null, audit: null,
        todayError: '', historyError: '', tokensError: '', auditError: ''});
      clearNewToken();
      for (const id of ['today-figures', 'today-services', 'today-counters', 'history-charts', 'tokens-list', 'audit-list']) {
        $(`#${id}`).replaceChildren();
      }
    },
  };
}
