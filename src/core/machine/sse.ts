/**
 * Reads a server-sent event stream (the WHATWG format: `event:` and `data:` fields, a blank line
 * ends an event) until `pick` takes an event, then cancels the rest of the stream. Enough for a
 * probe that waits for one message; the relay streams events through without reading them here.
 */
export async function readSse<T>(
  body: ReadableStream<Uint8Array>,
  pick: (data: string, event: string) => T | undefined,
): Promise<T | undefined> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          const picked = data.length ? pick(data.join('\n'), event) : undefined;
          if (picked !== undefined) return picked;
          event = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
