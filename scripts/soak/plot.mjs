// Hand-written SVG line plots of the soak's samples: one metric over time, one line per series.
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `n` ticks over `span`. */
function niceStep(span, n) {
  const raw = span / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const fmt = (v) => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(a < 1 && a > 0 ? 3 : a < 10 ? 2 : 0)}`;
};

/**
 * An SVG document: `series` = [{name, points: [[x, y], ...], dash?}], x in seconds.
 * `marks` = [{x, label}] vertical dotted lines (e.g. 10 % and 90 % of the votes).
 */
export function lineChart({ title, yLabel, xLabel = 'time (s)', series, marks = [], width = 900, height = 360 }) {
  const m = { l: 70, r: 170, t: 36, b: 46 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = Math.max(1, ...pts.map((p) => p[0]));
  const xMin = Math.min(xMax - 1, ...pts.map((p) => p[0]));
  let yMax = Math.max(0, ...pts.map((p) => p[1]));
  const yMin = Math.min(0, ...pts.map((p) => p[1]));
  if (yMax <= yMin) yMax = yMin + 1;
  const yStep = niceStep(yMax - yMin, 6);
  // Headroom above the highest point: the lines stay clear of the marks' labels.
  yMax = Math.ceil((yMax + 0.06 * (yMax - yMin)) / yStep) * yStep;
  const X = (x) => m.l + ((x - xMin) / (xMax - xMin)) * w;
  const Y = (y) => m.t + h - ((y - yMin) / (yMax - yMin)) * h;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${m.l}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let y = yMin; y <= yMax + yStep / 2; y += yStep) {
    out.push(
      `<line x1="${m.l}" x2="${m.l + w}" y1="${Y(y).toFixed(1)}" y2="${Y(y).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${m.l - 6}" y="${(Y(y) + 4).toFixed(1)}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  const xStep = niceStep(xMax - xMin, 8);
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
    out.push(
      `<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${m.t + h}" y2="${m.t + h + 4}" stroke="#333"/>`,
      `<text x="${X(x).toFixed(1)}" y="${m.t + h + 17}" text-anchor="middle">${fmt(x)}</text>`,
    );
  }
  for (const mk of marks) {
    if (!(mk.x >= xMin && mk.x <= xMax)) continue;
    out.push(
      `<line x1="${X(mk.x).toFixed(1)}" x2="${X(mk.x).toFixed(1)}" y1="${m.t}" y2="${m.t + h}" stroke="#999" stroke-dasharray="2,3"/>`,
      // Near the right edge the label goes left of its line (clear of the legend).
      X(mk.x) > m.l + 0.9 * w
        ? `<text x="${(X(mk.x) - 3).toFixed(1)}" y="${m.t + 11}" fill="#666" font-size="10" text-anchor="end">${esc(mk.label)}</text>`
        : `<text x="${(X(mk.x) + 3).toFixed(1)}" y="${m.t + 11}" fill="#666" font-size="10">${esc(mk.label)}</text>`,
    );
  }
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
    `<text x="${m.l + w / 2}" y="${height - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const color = s.color ?? COLORS[k % COLORS.length];
    const d = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`)
      .join('');
    if (d) {
      out.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      );
    }
    const ly = m.t + 10 + k * 18;
    out.push(
      `<line x1="${m.l + w + 12}" x2="${m.l + w + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${m.l + w + 42}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
