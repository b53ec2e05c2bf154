/** A request before the socket gives it a sequence number. */
import type { RtnlBody } from '../codec/rtnl.js';

export interface Request {
  /** RTM_* message type. */
  type: number;
  /** NLM_F_* flags (NLM_F_REQUEST is included). */
  flags: number;
  body: RtnlBody;
}
