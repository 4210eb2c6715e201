// A small dependency-free SVG line chart: one line per series, x positions evenly spaced by the
// distinct x values (so 1, 2, 4, 8, 16 workers read as a log2 axis), y linear from 0.

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

export interface LineChart {
  readonly title: string;
  /** A smaller line under the title (where and when it was measured); none when absent. */
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 60, right: 180, bottom: 56, left: 84 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
const Y_TICKS = 5;

/** Renders the chart as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = chart.series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const yMax = niceCeil(Math.max(0, ...ys));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xPos = (x: number): number => {
    const i = xs.indexOf(x);
    return MARGIN.left + (xs.length <= 1 ? plotW / 2 : (i / (xs.length - 1)) * plotW);
  };
  const yPos = (y: number): number => MARGIN.top + plotH - (yMax === 0 ? 0 : (y / yMax) * plotH);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(chart.title)}</text>`,
  );
  if (chart.subtitle !== undefined) {
    out.push(
      `<text x="${WIDTH / 2}" y="42" text-anchor="middle" font-size="11" fill="#4b5563">${esc(chart.subtitle)}</text>`,
    );
  }
  // Horizontal grid and y tick labels.
  for (let i = 0; i <= Y_TICKS; i++) {
    const v = (yMax / Y_TICKS) * i;
    const y = yPos(v);
    out.push(
      `<line x1="${MARGIN.left}" y1="${f(y)}" x2="${MARGIN.left + plotW}" y2="${f(y)}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(y + 4)}" text-anchor="end" fill="#374151">${esc(formatTick(v))}</text>`,
    );
  }
  // X ticks: a mark at every x, a label where it does not overlap its neighbours (always the last).
  const labelled = xLabelled(xs.map(formatTick), xs.length <= 1 ? plotW : plotW / (xs.length - 1));
  xs.forEach((x, i) => {
    const px = xPos(x);
    out.push(
      `<line x1="${f(px)}" y1="${MARGIN.top + plotH}" x2="${f(px)}" y2="${MARGIN.top + plotH + 5}" stroke="#6b7280"/>`,
    );
    if (labelled[i]) {
      out.push(
        `<text x="${f(px)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle" fill="#374151">${esc(formatTick(x))}</text>`,
      );
    }
  });
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#6b7280"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#6b7280"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle" fill="#111827">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${esc(chart.yLabel)}</text>`,
  );
  // Series and legend.
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].filter(([, y]) => Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
    const path = pts.map(([x, y]) => `${f(xPos(x))},${f(yPos(y))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${path}"/>`);
    for (const [x, y] of pts) {
      out.push(
        `<circle cx="${f(xPos(x))}" cy="${f(yPos(y))}" r="4" fill="${color}"><title>${esc(`${s.name}: ${formatTick(y)} at ${x}`)}</title></circle>`,
      );
    }
    const ly = MARGIN.top + 10 + i * 22;
    const lx = WIDTH - MARGIN.right + 20;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`,
      `<text x="${lx + 32}" y="${ly + 4}" fill="#111827">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Rough width of one character of a 12 px label, in px (an overestimate for digits). */
const CHAR_WIDTH = 7.5;
/** Least room between two x labels, in px. */
const LABEL_GAP = 6;

/**
 * Which of the evenly spaced x labels to draw: every k-th from the first, with k the least step at
 * which the widest label fits, plus the last one when it does not collide with the one before it.
 */
export function xLabelled(labels: readonly string[], spacing: number): boolean[] {
  const widest = Math.max(0, ...labels.map((l) => l.length * CHAR_WIDTH)) + LABEL_GAP;
  const step = Math.max(1, Math.ceil(widest / Math.max(spacing, 1e-9)));
  const shown = labels.map((_, i) => i % step === 0);
  const last = labels.length - 1;
  if (last > 0 && !shown[last]) {
    // The last x (e.g. all cores) matters most: show it, and drop the label just before it if needed.
    shown[last] = true;
    const prev = last - (last % step);
    if ((last - prev) * spacing < widest) shown[prev] = prev === 0;
  }
  return shown;
}

/** The smallest 1/2/2.5/5 × 10^k at or above v (0 stays 0). */
function niceCeil(v: number): number {
  if (v <= 0) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** 12_500_000 → '12.5M', 0.25 → '0.25'. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function f(v: number): string {
  return v.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
