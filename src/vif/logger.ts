/**
 * The injectable logger: pino's method shape (`info(obj, msg)`), silent by default.
 */

/** One log method: a structured object first, then the message (as pino). */
export type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** What the library logs through. A pino logger fits as is. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const nothing: LogFn = () => {};

/** The default: logs nothing. */
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };
