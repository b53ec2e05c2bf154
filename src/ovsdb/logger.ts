/** An injectable logger with pino's method shape; the client is silent without one. */
export interface Logger {
  /** Detail for debugging (connection attempts). */
  debug(obj: object, msg?: string): void;
  /** Normal events (connected). */
  info(obj: object, msg?: string): void;
  /** Trouble recovered from (connection lost, leadership moved). */
  warn(obj: object, msg?: string): void;
  /** Trouble not recovered from. */
  error(obj: object, msg?: string): void;
}

const noop = () => {};
/** The default: logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
