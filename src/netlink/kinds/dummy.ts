/** The dummy device has no kind-specific attributes. */
import type { LinkKind } from './kind.js';

export const dummy: LinkKind = {
  kind: 'dummy',
  requires: 'the dummy module (CONFIG_DUMMY)',
  doc: 'A device that drops everything sent to it.',
};
