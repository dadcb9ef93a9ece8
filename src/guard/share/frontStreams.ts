import type * as http from 'node:http';
import { sseLineEvent } from '../http/modernRequests';
import type { Answering } from './frontClient';

// One message of the server's onto the share front's HTTP answer it belongs on: a request's whole
// answer, or one event of an event stream.

/** What may wait unread on one event stream: past it the stream is ended (the session stays). */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

interface Log {
  log(line: string): void;
}

/** A request's answer: the whole response when nothing went before it, else the last event of its stream. */
export function answerWith(answering: Answering, line: string, o: Log): void {
  const { res } = answering;
  if (res.destroyed || res.writableEnded) return;
  if (answering.streaming) {
    writeEvent(answering, line, o);
    res.end();
    return;
  }
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(answering.sid ? { 'mcp-session-id': answering.sid } : {}),
  });
  res.end(body);
}

/** One event on a stream: a session's GET stream, or a request's POST (made a stream by its first event). */
export function writeEvent(target: http.ServerResponse | Answering, line: string, o: Log): void {
  const res = 'streaming' in target ? target.res : target;
  if (res.destroyed || res.writableEnded) return;
  if ('streaming' in target && !target.streaming) {
    target.streaming = true;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...(target.sid ? { 'mcp-session-id': target.sid } : {}),
    });
  }
  res.write(sseLineEvent(line));
  if (res.writableLength > MAX_UNREAD_BYTES) {
    o.log(`an HTTP client did not read ${MAX_UNREAD_BYTES} bytes of an event stream; the stream was ended`);
    res.destroy();
  }
}
