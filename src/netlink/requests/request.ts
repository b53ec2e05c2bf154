/** A request before the socket gives it a sequence number, and its wire form. */
import { writeMessage } from '../codec/message.js';
import { type RtnlBody, writeBody } from '../codec/rtnl.js';
import { ByteWriter } from '../codec/writer.js';

export interface Request {
  /** RTM_* message type. */
  type: number;
  /** NLM_F_* flags (NLM_F_REQUEST is included). */
  flags: number;
  body: RtnlBody;
}

/** The bytes of one request message with sequence number `seq`. */
export function encodeRequest(req: Request, seq: number, pid = 0): Uint8Array {
  const w = new ByteWriter(128);
  writeMessage(w, { type: req.type, flags: req.flags, seq, pid }, (w) => writeBody(w, req.body));
  return w.finish();
}
