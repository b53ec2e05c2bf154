/** CNI errors: the spec's well-known codes and the error JSON a plugin prints. */

/** The spec's error codes (CNI 1.0 and 1.1, "Error"); 100 and above are this plugin's. */
export const CNI_CODES = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnv: 4,
  io: 5,
  decode: 6,
  invalidConfig: 7,
  tryAgain: 11,
  notAvailable: 50,
  limitedConnectivity: 51,
  /** A failed operation (rolled back) or a CHECK that found a difference. */
  failed: 100,
} as const;

/** A CNI error: printed as `{ cniVersion, code, msg, details }` on stdout, exit non-zero. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(msg);
    this.name = 'CniError';
  }

  /** True for the codes that mean "bad input, nothing changed". */
  get invalidInput(): boolean {
    return (
      this.code >= 1 &&
      this.code <= 7 &&
      this.code !== CNI_CODES.io &&
      this.code !== CNI_CODES.unknownContainer
    );
  }

  /** The error JSON. */
  toJSON(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return {
      cniVersion,
      code: this.code,
      msg: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}
