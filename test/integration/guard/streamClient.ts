import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** An SDK transport over two in-process streams: the guard's input and output. */
export class StreamTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Every message the client received, raw, in order (to check what the guard relayed). */
  readonly received: JSONRPCMessage[] = [];
  private readonly buffer = new ReadBuffer();

  constructor(
    readonly toGuard: PassThrough,
    readonly fromGuard: PassThrough,
  ) {}

  async start(): Promise<void> {
    this.fromGuard.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (!message) break;
        this.received.push(message);
        this.onmessage?.(message);
      }
    });
    this.fromGuard.on('end', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.toGuard.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.toGuard.end();
  }
}

export async function connectClient(
  toGuard: PassThrough,
  fromGuard: PassThrough,
): Promise<{ client: Client; transport: StreamTransport }> {
  const transport = new StreamTransport(toGuard, fromGuard);
  const client = new Client({ name: 'guard-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}
