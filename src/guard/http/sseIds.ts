/**
 * Notes the `id:` fields of an SSE stream as it is relayed, without copying or decoding the stream:
 * the front needs to know which upstream a client's `Last-Event-ID` came from. Only line starts are
 * looked at; an id split across chunks is joined from a small carry.
 */
export class SseIdScanner {
  private carry: Buffer | undefined;
  private atLineStart = true;

  constructor(private readonly onId: (id: string) => void) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.carry) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        // An id line longer than any sane id is not followed further.
        this.carry = this.carry.length + chunk.length > 1024 ? undefined : Buffer.concat([this.carry, chunk]);
        return;
      }
      this.emit(Buffer.concat([this.carry, chunk.subarray(0, nl)]));
      this.carry = undefined;
      from = nl + 1;
      this.atLineStart = true;
    }
    for (;;) {
      const at = chunk.indexOf('id:', from, 'latin1');
      if (at < 0) break;
      const lineStart = at === 0 ? this.atLineStart : chunk[at - 1] === 0x0a || chunk[at - 1] === 0x0d;
      const nl = chunk.indexOf(0x0a, at);
      if (!lineStart) {
        from = at + 3;
        continue;
      }
      if (nl < 0) {
        this.carry = Buffer.from(chunk.subarray(at));
        return;
      }
      this.emit(chunk.subarray(at, nl));
      from = nl + 1;
    }
    if (chunk.length > 0) this.atLineStart = chunk[chunk.length - 1] === 0x0a;
  }

  private emit(line: Buffer): void {
    let value = line.toString('utf8', 3).replace(/\r$/, '');
    if (value.startsWith(' ')) value = value.slice(1);
    if (value.length > 0) this.onId(value);
  }
}
