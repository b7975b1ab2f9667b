/**
 * A free TCP port on the loopback interface, for servers that must know each other's URLs before they
 * start (the local database, test estates, benchmark children, a throw-away nats-server). The port is
 * free when this resolves; another process could take it before the caller listens, which on one
 * machine running its own estate does not happen in practice.
 */
import net from 'node:net';

/** A port nothing listens on at 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
