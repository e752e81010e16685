/**
 * Splits a chunked watch stream into complete lines. Chunks may cut a line (or a UTF-8
 * character) anywhere; the rest is kept until the next chunk.
 */
export class LineSplitter {
  private rest = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: string[] = [];
    let start = 0;
    for (let i = buf.indexOf(10, start); i !== -1; i = buf.indexOf(10, start)) {
      const line = buf.subarray(start, i).toString('utf8').trim();
      if (line) out.push(line);
      start = i + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return out;
  }

  /** What is left when the stream ends (a last line without a newline). */
  end(): string[] {
    const line = this.rest.toString('utf8').trim();
    this.rest = Buffer.alloc(0);
    return line ? [line] : [];
  }
}
