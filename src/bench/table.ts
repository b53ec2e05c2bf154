/**
 * The report as Markdown tables, one per kind and size: per method the cost per VIF, the total,
 * the ratio to the floor (method ÷ floor: 1.00x is the floor, higher is slower) and the speed-up
 * over one process per step and over Python os-vif (their time ÷ the method's: higher is faster).
 */
import { type BenchReport, KIND_TITLES, type Kind, type Sample } from './types.js';

/** The ids the ratios refer to. */
export const FLOOR = 'floor';
export const SHELL = 'shell';
export const PYTHON = 'python';

function sig(x: number): string {
  if (x === 0) return '0';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function total(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;
}

function ratio(num: number | undefined, den: number | undefined): string {
  if (num === undefined || den === undefined || num <= 0 || den <= 0) return '—';
  return `${sig(num / den)}x`;
}

type Phase = 'plugMs' | 'unplugMs';

function cells(s: Sample, peers: Map<string, Sample>, phase: Phase): string[] {
  const ms = s[phase];
  if (s.status !== 'ok' || ms === undefined) return ['—', '—', '—', '—', '—'];
  const of = (id: string) => {
    const p = peers.get(id);
    return p?.status === 'ok' ? p[phase] : undefined;
  };
  return [
    sig(ms / s.n),
    total(ms),
    ratio(ms, of(FLOOR)),
    s.method === SHELL ? '1x' : ratio(of(SHELL), ms),
    s.method === PYTHON ? '1x' : ratio(of(PYTHON), ms),
  ];
}

/** Samples of one kind and size, by method id. */
export function peersOf(report: BenchReport, kind: Kind, n: number): Map<string, Sample> {
  return new Map(report.samples.filter((s) => s.kind === kind && s.n === n).map((s) => [s.method, s]));
}

/**
 * Per kind, the cost per VIF of every method at each N and how it grows from the second-largest
 * N to the largest (ms/VIF at N=1000 ÷ ms/VIF at N=100 for the default sizes).
 */
export function renderScaling(report: BenchReport): string[] {
  const sizes = report.sizes;
  if (sizes.length < 2) return [];
  const [prev, last] = sizes.slice(-2) as [number, number];
  const lines: string[] = [];
  for (const kind of report.kinds) {
    const methods = report.methods.filter((m) =>
      report.samples.some((s) => s.kind === kind && s.method === m.id && s.status === 'ok'),
    );
    if (methods.length === 0) continue;
    const head = sizes.map((n) => `N=${n}`);
    lines.push(
      `### ${kind}: ms per VIF (plug / unplug) against N`,
      '',
      `| method | ${head.join(' | ')} | plug N=${last} ÷ N=${prev} | unplug N=${last} ÷ N=${prev} |`,
      `| --- | ${sizes.map(() => '---:').join(' | ')} | ---: | ---: |`,
    );
    for (const m of methods) {
      const at = (n: number) => report.samples.find((s) => s.kind === kind && s.n === n && s.method === m.id);
      const perVif = (n: number, phase: Phase) => {
        const s = at(n);
        return s?.status === 'ok' && s[phase] !== undefined ? (s[phase] as number) / n : undefined;
      };
      const cell = (n: number) => {
        const p = perVif(n, 'plugMs');
        const u = perVif(n, 'unplugMs');
        return p === undefined ? '—' : `${sig(p)} / ${u === undefined ? '—' : sig(u)}`;
      };
      lines.push(
        `| ${m.label} | ${sizes.map(cell).join(' | ')} | ${ratio(perVif(last, 'plugMs'), perVif(prev, 'plugMs'))} | ${ratio(perVif(last, 'unplugMs'), perVif(prev, 'unplugMs'))} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** The tables and a line per failed or unavailable method. */
export function renderTables(report: BenchReport): string[] {
  const lines: string[] = [...renderScaling(report)];
  for (const kind of report.kinds) {
    for (const n of report.sizes) {
      const peers = peersOf(report, kind, n);
      if (peers.size === 0) continue;
      lines.push(
        `### ${KIND_TITLES[kind]}, N = ${n}`,
        '',
        '| method | plug ms/VIF | plug total | ÷ floor | shell ÷ it | Python ÷ it | unplug ms/VIF | unplug total | ÷ floor | shell ÷ it | Python ÷ it |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      );
      const notes: string[] = [];
      for (const s of peers.values()) {
        const mark = s.status === 'ok' ? '' : ` (${s.status})`;
        lines.push(
          `| ${s.label}${mark} | ${[...cells(s, peers, 'plugMs'), ...cells(s, peers, 'unplugMs')].join(' | ')} |`,
        );
        if (s.status !== 'ok') notes.push(`- ${s.label}: ${s.status}: ${s.reason ?? ''}`);
      }
      lines.push('', ...notes, ...(notes.length ? [''] : []));
    }
  }
  lines.push(
    `${report.complete ? 'Run' : 'PARTIAL run (still going or stopped)'} ${report.started}, ${report.seconds} s, Node ${report.host.node}, ${report.host.cpus} CPUs, kernel ${report.host.kernel}, load average at the end ${report.host.loadavg.map((l) => l.toFixed(2)).join(' ')}.`,
  );
  return lines;
}
