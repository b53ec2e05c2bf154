/**
 * Lines of a byte stream, as they arrive, in bounded memory: a line longer than the limit is not
 * kept (it is reported as too long, and skipped to its end), so a writer that never sends a
 * newline cannot make the reader grow without bound. The stream is read only as fast as the lines
 * are taken, which passes back-pressure on to the writer.
 */

/** One line: its text (without the newline) or, past the limit, `tooLong`; `number` counts from 1. */
export type Line = { number: number; text: string } | { number: number; tooLong: true };

/** The default limit on one line: a VIF and its instance are a few kilobytes. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Splits `chunks` at `\n` (a `\r` before it is dropped); the last line needs no newline. */
export async function* lines(
  chunks: AsyncIterable<Buffer | string>,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let number = 0;
  const finish = (): Line => {
    number++;
    if (skipping) return { number, tooLong: true };
    let text = Buffer.concat(parts, size).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { number, text };
  };
  const keep = (piece: Buffer) => {
    if (skipping) return;
    if (size + piece.length > maxBytes) {
      skipping = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  };
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let nl = buffer.indexOf(10, from); nl !== -1; nl = buffer.indexOf(10, from)) {
      keep(buffer.subarray(from, nl));
      yield finish();
      parts = [];
      size = 0;
      skipping = false;
      from = nl + 1;
    }
    if (from < buffer.length) keep(Buffer.from(buffer.subarray(from)));
  }
  if (size > 0 || skipping) yield finish();
}
