/** Malformed bytes from outside: a length that runs past its container, a truncated header. */
export class NetlinkParseError extends Error {
  /** Byte offset of the problem within the buffer being parsed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'NetlinkParseError';
    this.offset = offset;
  }
}
