/**
 * The CLI's logger: one JSON object per line on stderr in pino's format (`level` as a number,
 * `time` in epoch milliseconds, `pid`, `hostname`, `msg`), which pino-pretty, jq and journald
 * pipelines read as they are. Off unless `--log-level` or `OS_VIF_LOG_LEVEL` asks for it, so
 * a failed command still prints its one line alone.
 */
import { hostname } from 'node:os';
import type { Logger } from '../vif/index.js';
import { UsageError } from './usage.js';

/** pino's level numbers. */
export const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** A level name. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** The level named by the option or, without it, by `OS_VIF_LOG_LEVEL`; `silent` by default. */
export function logLevel(option: string | undefined, env = process.env.OS_VIF_LOG_LEVEL): LogLevel {
  const name = option ?? env ?? 'silent';
  if (!Object.hasOwn(LOG_LEVELS, name)) {
    const where = option === undefined ? 'OS_VIF_LOG_LEVEL' : '--log-level';
    throw new UsageError(
      `${where} must be one of ${Object.keys(LOG_LEVELS).join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return name as LogLevel;
}

/** A logger writing NDJSON lines at `level` and above through `write`. */
export function ndjsonLogger(level: LogLevel, write: (line: string) => void): Logger {
  const threshold = LOG_LEVELS[level];
  const base = { pid: process.pid, hostname: hostname(), name: 'os-vif' };
  const at =
    (n: number) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      if (n < threshold) return;
      const line: Record<string, unknown> = { level: n, time: Date.now(), ...base };
      for (const [k, v] of Object.entries(obj)) line[k] = v instanceof Error ? serializeError(v) : v;
      if (msg !== undefined) line.msg = msg;
      write(safeStringify(line));
    };
  return {
    debug: at(LOG_LEVELS.debug),
    info: at(LOG_LEVELS.info),
    warn: at(LOG_LEVELS.warn),
    error: at(LOG_LEVELS.error),
  };
}

/** pino's `err` shape: type, message, stack, and the causes. */
function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  if (error.cause instanceof Error && depth < 5) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}
