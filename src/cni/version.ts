/**
 * What VERSION needs of the network configuration: the versions this plugin speaks and the
 * decoding of stdin. Apart from netconf.ts so that a VERSION call loads no plugin code
 * (docs/performance.md, "Start-up").
 */
import { CNI_CODES, CniError } from './errors.js';

/** The CNI versions whose documents this plugin reads and writes. */
export const SUPPORTED_VERSIONS = ['1.0.0', '1.1.0'] as const;

const fail = (code: number, msg: string): never => {
  throw new CniError(code, msg);
};

/** Parses the JSON on stdin (code 6 when it is not a JSON object). */
export function decode(stdin: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(stdin);
  } catch (e) {
    return fail(CNI_CODES.decode, `the network configuration is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(CNI_CODES.decode, 'the network configuration must be a JSON object');
  return v as Record<string, unknown>;
}

/** Checks the version (code 1 when this plugin cannot speak it). */
export function checkVersion(v: unknown): string {
  if (typeof v !== 'string' || v === '') return fail(CNI_CODES.invalidConfig, 'cniVersion must be set');
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(v))
    fail(
      CNI_CODES.incompatibleVersion,
      `cniVersion ${v} is not supported (${SUPPORTED_VERSIONS.join(', ')})`,
    );
  return v;
}
