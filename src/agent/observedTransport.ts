import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

/**
 * A transport that shows each inbound message to `see` before the SDK gets it, and says when the
 * connection has closed. The SDK's dual-era stdio entry answers `subscriptions/listen` itself, so
 * this is where the agent face learns that a listen stream for its snapshot opened or ended.
 */
export class ObservedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  readonly closed: Promise<void>;

  constructor(
    private readonly inner: Transport,
    see: (message: JSONRPCMessage) => void,
  ) {
    let done!: () => void;
    this.closed = new Promise<void>((resolve) => (done = resolve));
    inner.onmessage = (message, extra) => {
      see(message);
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => {
      done();
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
