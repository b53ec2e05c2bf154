/**
 * Incremental framing of a stream of concatenated JSON values (RFC 7047 section 3.1: no
 * delimiter between messages). A byte-level scanner keeps its state across reads (nesting depth,
 * inside a string, after a backslash), so a message may be split anywhere, even inside a
 * multi-byte UTF-8 character: structural bytes are ASCII and never occur inside a UTF-8
 * sequence. Each byte is looked at once and each message is decoded once, so the cost is linear
 * in the stream size.
 */

/** Bytes in the stream that are not a sequence of JSON objects/arrays. */
export class FramingError extends Error {
  override name = 'FramingError';
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Splits a byte stream into parsed JSON values. */
export class JsonFramer {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private pending = 0;
  private failed = false;

  /** @param maxMessageBytes a message larger than this is a framing error (default 512 MiB). */
  constructor(private readonly maxMessageBytes = 512 * 1024 * 1024) {}

  /**
   * Feeds one chunk; returns every value completed by it, in order. Throws {@link FramingError}
   * on bytes that cannot start a value, unbalanced brackets or invalid JSON/UTF-8; after that
   * the framer stays failed.
   */
  push(chunk: Buffer): unknown[] {
    if (this.failed) throw new FramingError('stream already failed');
    const out: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      if (this.depth === 0) {
        if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          this.depth = 1;
          start = i;
        } else if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
          this.fail(`unexpected byte 0x${b.toString(16)} between messages`);
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.pieces.push(chunk.subarray(start, i + 1));
          out.push(this.finish());
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = chunk.subarray(start);
      this.pending += rest.length;
      if (this.pending > this.maxMessageBytes) this.fail(`message larger than ${this.maxMessageBytes} bytes`);
      this.pieces.push(rest);
    }
    return out;
  }

  /** True when a message has started but not ended (a close now would cut it). */
  get partial(): boolean {
    return this.depth > 0;
  }

  private finish(): unknown {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    this.pieces = [];
    this.pending = 0;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      this.fail('invalid UTF-8 in message');
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      this.fail(`invalid JSON: ${(e as Error).message}`);
    }
  }

  private fail(message: string): never {
    this.failed = true;
    this.pieces = [];
    throw new FramingError(message);
  }
}
