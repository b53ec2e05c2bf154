/**
 * The plot, as hand-written SVG (no dependency): small multiples, a column per kind and a row
 * each for plug and unplug, cost per VIF (ms) against N on log–log axes, one line per method
 * (solid: this library; dashed: the baselines; grey and thick: the floor), a shared legend.
 * Only verified samples are drawn; a zero time (nothing to do) has no place on a log axis.
 */
import { type BenchReport, KIND_TITLES, type Kind } from './types.js';

const PANEL_W = 340;
const PANEL_H = 230;
const M = { left: 62, right: 16, top: 44, bottom: 44 };
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
];

function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function num(x: number): string {
  return Number(x.toFixed(1)).toString();
}

/** Log scale of [lo, hi] onto [a, b]; a single value gets a decade around it. */
function logScale(
  lo: number,
  hi: number,
  a: number,
  b: number,
): { f: (x: number) => number; lo: number; hi: number } {
  let l = Math.log10(lo);
  let h = Math.log10(hi);
  if (h - l < 1e-9) {
    l -= 0.5;
    h += 0.5;
  }
  const pad = (h - l) * 0.06;
  l -= pad;
  h += pad;
  return { f: (x) => a + ((Math.log10(x) - l) / (h - l)) * (b - a), lo: 10 ** l, hi: 10 ** h };
}

/** Tick values for a log axis: decades, plus 2 and 5 when few decades show. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  const steps = decades < 2.5 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const s of steps) {
      const v = s * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  return out;
}

function tickLabel(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  if (v >= 1) return String(Number(v.toPrecision(3)));
  return String(Number(v.toPrecision(2)));
}

/** The SVG document for a report. */
export function renderSvg(report: BenchReport): string {
  const kinds: Kind[] = report.kinds.filter((k) =>
    report.samples.some((s) => s.kind === k && s.status === 'ok'),
  );
  const phases = [
    { key: 'plugMs', title: 'plug' },
    { key: 'unplugMs', title: 'unplug' },
  ] as const;
  const methods = report.methods;
  const color = new Map(methods.map((m, i) => [m.id, PALETTE[i % PALETTE.length] as string]));
  const cols = Math.max(1, kinds.length);
  const legendRows = Math.ceil(methods.length / 3);
  const width = cols * PANEL_W;
  const height = 40 + phases.length * PANEL_H + 20 + legendRows * 20 + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">os-vif: cost per VIF (ms) against N, log scales; every result verified</text>`,
  ];
  kinds.forEach((kind, c) => {
    phases.forEach((phase, r) => {
      const x0 = c * PANEL_W;
      const y0 = 30 + r * PANEL_H;
      const pts = report.samples.filter(
        (s) => s.kind === kind && s.status === 'ok' && (s[phase.key] ?? 0) > 0,
      );
      const title = `${kind.replace('_', ' ')} — ${phase.title}`;
      out.push(
        `<text x="${x0 + PANEL_W / 2}" y="${y0 + 24}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
      );
      const left = x0 + M.left;
      const right = x0 + PANEL_W - M.right;
      const top = y0 + M.top - 10;
      const bottom = y0 + PANEL_H - M.bottom;
      out.push(
        `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#888"/>`,
      );
      if (pts.length === 0) {
        out.push(
          `<text x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle" fill="#888">no verified samples</text>`,
        );
        return;
      }
      const sizes = [...new Set(pts.map((s) => s.n))].sort((a, b) => a - b);
      const ys = pts.map((s) => (s[phase.key] as number) / s.n);
      const sx = logScale(sizes[0] as number, sizes[sizes.length - 1] as number, left, right);
      const sy = logScale(Math.min(...ys), Math.max(...ys), bottom, top);
      for (const v of logTicks(sy.lo, sy.hi)) {
        const y = num(sy.f(v));
        out.push(`<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
        out.push(
          `<text x="${left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(v)}</text>`,
        );
      }
      for (const n of sizes) {
        const x = num(sx.f(n));
        out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#eee"/>`);
        out.push(`<text x="${x}" y="${bottom + 14}" text-anchor="middle">${n}</text>`);
      }
      out.push(`<text x="${(left + right) / 2}" y="${bottom + 30}" text-anchor="middle">N (VIFs)</text>`);
      out.push(
        `<text transform="translate(${x0 + 14} ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">ms per VIF</text>`,
      );
      for (const m of methods) {
        const line = pts
          .filter((s) => s.method === m.id)
          .sort((a, b) => a.n - b.n)
          .map((s) => [sx.f(s.n), sy.f((s[phase.key] as number) / s.n)] as const);
        if (line.length === 0) continue;
        const stroke = m.family === 'floor' ? '#555' : (color.get(m.id) as string);
        const dash = m.family === 'baseline' ? ' stroke-dasharray="5 3"' : '';
        const widthAttr = m.family === 'floor' ? 3 : 1.8;
        if (line.length > 1)
          out.push(
            `<polyline fill="none" stroke="${stroke}" stroke-width="${widthAttr}"${dash} points="${line.map(([x, y]) => `${num(x)},${num(y)}`).join(' ')}"/>`,
          );
        for (const [x, y] of line) out.push(`<circle cx="${num(x)}" cy="${num(y)}" r="3" fill="${stroke}"/>`);
      }
    });
  });
  const drawn = new Set(report.samples.filter((s) => s.status === 'ok').map((s) => s.method));
  const ly = 40 + phases.length * PANEL_H;
  const colW = width / 3;
  methods.forEach((m, i) => {
    const x = (i % 3) * colW + 20;
    const y = ly + Math.floor(i / 3) * 20;
    const stroke = m.family === 'floor' ? '#555' : (color.get(m.id) as string);
    const dash = m.family === 'baseline' ? ' stroke-dasharray="5 3"' : '';
    out.push(
      `<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${stroke}" stroke-width="${m.family === 'floor' ? 3 : 2}"${dash}/>`,
      `<text x="${x + 32}" y="${y}" dominant-baseline="middle"${drawn.has(m.id) ? '' : ' fill="#999"'}>${esc(drawn.has(m.id) ? m.label : `${m.label} (no verified sample)`)}</text>`,
    );
  });
  out.push(
    `<text x="${width - 6}" y="${height - 6}" text-anchor="end" fill="#888" font-size="9">${esc(`${report.complete ? '' : 'PARTIAL '}${report.started}, ${report.host.cpus} CPUs, Node ${report.host.node}; ${kinds.map((k) => KIND_TITLES[k].split(' (')[0]).join(', ')}`)}</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
