/**
 * The benchmark's options, shared by `npm run bench` and `os-vif bench`: `--n 10,100,1000`,
 * `--kinds plain,hybrid,linux_bridge`, `--methods lib-inflight,floor,…`, `--serial-max N`, `--json`,
 * `--out DIR`.
 */
import { methodIds } from './methods.js';
import { KINDS, type Kind } from './types.js';

/** A bad option value; the commands turn it into their usage error (exit 2). */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

/** Parsed options. */
export interface BenchArgs {
  sizes: number[];
  kinds: Kind[];
  /** Method ids, in table order. */
  methods: string[];
  json: boolean;
  /** The largest N for the one-at-a-time methods (shell, Python, lib-serial); undefined: all. */
  serialMax: number | undefined;
  /** Directory for the JSON, Markdown and SVG results; undefined: none written. */
  out: string | undefined;
}

/** Default sizes. */
export const DEFAULT_SIZES = [10, 100, 1000];
/** The largest N accepted. */
export const MAX_N = 5000;

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

/** Checks the raw option values. */
export function parseBenchArgs(values: {
  n?: string | undefined;
  kinds?: string | undefined;
  methods?: string | undefined;
  json?: boolean | undefined;
  out?: string | undefined;
  'serial-max'?: string | undefined;
}): BenchArgs {
  const sizes = (list(values.n) ?? DEFAULT_SIZES.map(String)).map(Number);
  if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_N))
    throw new BenchOptionError(
      `--n must be an integer from 1 to ${MAX_N}, or a comma-separated list of them, got ${values.n}`,
    );
  const kinds = (list(values.kinds) ?? [...KINDS]) as Kind[];
  const badKind = kinds.find((k) => !KINDS.includes(k));
  if (kinds.length === 0 || badKind !== undefined)
    throw new BenchOptionError(`--kinds takes ${KINDS.join(', ')}; got ${values.kinds}`);
  const known = methodIds();
  const methods = list(values.methods) ?? known;
  const badMethod = methods.find((m) => !known.includes(m));
  if (methods.length === 0 || badMethod !== undefined)
    throw new BenchOptionError(`--methods takes ${known.join(', ')}; got ${values.methods}`);
  const serialMax = values['serial-max'] === undefined ? undefined : Number(values['serial-max']);
  if (serialMax !== undefined && !(Number.isInteger(serialMax) && serialMax >= 1))
    throw new BenchOptionError(`--serial-max must be a positive integer, got ${values['serial-max']}`);
  return {
    serialMax,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    kinds: KINDS.filter((k) => kinds.includes(k)),
    methods: known.filter((m) => methods.includes(m)),
    json: values.json === true,
    out: values.out,
  };
}
