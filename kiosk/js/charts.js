/* Charts drawn as inline SVG by the page itself — no chart library.
 *
 * chartFigure() builds one accessible figure from plain data:
 *   <figure>
 *     <figcaption>  the title (also the SVG's <title>, so the image has a name)
 *     <svg role="img"> with <title> and <desc> (the summary), bars or lines, axis labels
 *     <p class="chart-summary">  the text summary, for everyone
 *     <table>  the numbers themselves, one row per period, one column per series
 *   </figure>
 * The SVG only repeats what the table says; a screen reader gets the summary and the table.
 *
 *   chartFigure({
 *     id: 'history-volume', kind: 'bars' | 'lines', title: 'Tickets per day',
 *     summary: 'From … to …: 34 tickets, …',
 *     periodLabel: 'Day', labels: ['1 Dec', '2 Dec'],          // x axis and the table's first column
 *     series: [{label: 'Tickets', values: [12, 22]}, …],        // null = no value (a gap)
 *     unit: 'min',                                              // optional, after the numbers in the table
 *     format: (v) => String(v),                                 // optional, numbers in the table and labels
 *     integers: false,                                          // optional: counts, so the axis has no half steps
 *   }) → HTMLElement (figure)
 *
 * Colours come from CSS classes series-0 … series-3 (admin.css), each also told apart by shape
 * (dash pattern, marker), so colour is never the only cue.
 */

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A "nice" upper bound for the axis: 1, 2 or 5 times a power of ten, at least max. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** Builds the figure (see the file header). */
export function chartFigure({id, kind = 'bars', title, summary = '', periodLabel = '', labels = [], series = [], unit = '',
  format = (v) => String(v), integers = false}) {
  const W = 640;
  const H = 240;
  const pad = {l: 44, r: 12, t: 12, b: 44};
  const plotW = W - pad.l - pad.r;
  const plotH = H - pad.t - pad.b;
  const all = series.flatMap((x) => x.values.filter(isNum));
  // Counts need an axis of whole numbers: at least 2, so its middle line is one too.
  const top = integers ? Math.max(2, niceMax(Math.max(0, ...all))) : niceMax(Math.max(0, ...all));
  const y = (v) => pad.t + plotH - (v / top) * plotH;
  const n = Math.max(labels.length, 1);
  const band = plotW / n;

  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, class: 'chart',
    'data-testid': `${id}-svg`, focusable: 'false', preserveAspectRatio: 'xMidYMid meet'},
  s('title', {id: titleId}, title), s('desc', {id: descId}, summary));

  // Grid and y axis: 0, half and the top.
  const grid = s('g', {class: 'chart-grid', 'aria-hidden': 'true'});
  for (const v of [0, top / 2, top]) {
    grid.append(s('line', {x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v)}),
      s('text', {x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-axis'}, format(Math.round(v * 10) / 10)));
  }
  svg.append(grid);

  // X labels: every one when they fit, else every k-th.
  const step = Math.max(1, Math.ceil(n / Math.floor(plotW / 56)));
  const xl = s('g', {class: 'chart-axis', 'aria-hidden': 'true'});
  labels.forEach((label, i) => {
    if (i % step) return;
    xl.append(s('text', {x: pad.l + band * (i + 0.5), y: H - pad.b + 16, 'text-anchor': 'middle'}, label));
  });
  svg.append(xl);

  const body = s('g', {class: `chart-${kind}`});
  if (kind === 'bars') {
    const inner = band * 0.8;
    const w = inner / Math.max(series.length, 1);
    series.forEach((ser, si) => {
      const g = s('g', {class: `series series-${si}`, 'data-series': ser.label});
      ser.values.forEach((v, i) => {
        if (!isNum(v)) return;
        const x = pad.l + band * i + band * 0.1 + w * si;
        g.append(s('rect', {x: x.toFixed(1), y: y(v).toFixed(1), width: Math.max(w - 1, 1).toFixed(1),
          height: Math.max(pad.t + plotH - y(v), 0).toFixed(1), 'data-value': v},
        s('title', {}, `${labels[i]}: ${ser.label} ${format(v)}${unit ? ` ${unit}` : ''}`)));
      });
      body.append(g);
    });
  } else {
    series.forEach((ser, si) => {
      const g = s('g', {class: `series series-${si}`, 'data-series': ser.label});
      // A null value breaks the line: each run of values is its own path.
      let run = [];
      const flush = () => {
        if (run.length > 1) g.append(s('polyline', {points: run.join(' '), fill: 'none'}));
        run = [];
      };
      ser.values.forEach((v, i) => {
        if (!isNum(v)) return flush();
        const cx = pad.l + band * (i + 0.5);
        run.push(`${cx.toFixed(1)},${y(v).toFixed(1)}`);
        g.append(s(si % 2 ? 'rect' : 'circle', si % 2
          ? {x: (cx - 4).toFixed(1), y: (y(v) - 4).toFixed(1), width: 8, height: 8, 'data-value': v}
          : {cx: cx.toFixed(1), cy: y(v).toFixed(1), r: 4, 'data-value': v},
        s('title', {}, `${labels[i]}: ${ser.label} ${format(v)}${unit ? ` ${unit}` : ''}`)));
        return undefined;
      });
      flush();
      body.append(g);
    });
  }
  svg.append(body);

  // The legend, in the SVG (for the eye) — the table's headers say the same for everyone.
  const legend = s('g', {class: 'chart-legend', 'aria-hidden': 'true'});
  series.forEach((ser, si) => {
    const x = pad.l + si * 150;
    legend.append(s('g', {class: `series series-${si}`},
      kind === 'bars' ? s('rect', {x, y: H - 16, width: 12, height: 12})
        : s('line', {x1: x, x2: x + 14, y1: H - 10, y2: H - 10}),
      s('text', {x: x + 18, y: H - 6, class: 'chart-legend-text'}, ser.label)));
  });
  svg.append(legend);

  const cell = (v) => (isNum(v) ? `${format(v)}${unit ? ` ${unit}` : ''}` : '—');
  const table = el('table', {class: 'table chart-table', 'data-testid': `${id}-table`},
    el('caption', {}, title),
    el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, periodLabel),
      series.map((ser) => el('th', {scope: 'col', class: 'num'}, ser.label)))),
    el('tbody', {}, labels.map((label, i) => el('tr', {},
      el('th', {scope: 'row'}, label),
      series.map((ser) => el('td', {class: 'num'}, cell(ser.values[i])))))));

  return el('figure', {class: 'chart-figure', id, 'data-testid': id},
    el('figcaption', {class: 'chart-title'}, title),
    el('div', {class: 'chart-box'}, svg),
    el('p', {class: 'chart-summary', 'data-testid': `${id}-summary`}, summary),
    el('div', {class: 'table-scroll'}, table));
}
