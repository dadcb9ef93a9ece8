import * as net from 'node:net';

/** Whether something accepts connections at host:port now (a connection made, or one that hangs). */
export function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    const taken = () => {
      socket.destroy();
      resolve(true);
    };
    socket.once('connect', taken);
    socket.once('timeout', taken);
    socket.once('error', () => resolve(false));
  });
}
