import net from 'node:net';

export interface TcpProxy {
  port: number;
  /**
   * Takes the target away as a crash or a restart does: open connections are reset, new ones reset as soon as
   * they are accepted. The port keeps listening, so no other process can take it before `restore()`.
   */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on a free local port to `host:port`. Lets a test take the database away from one API without stopping
 * the cluster every other test file shares, or (`listen`) makes a loopback-only server reachable from test hosts in
 * network namespaces, at the bridge's address.
 */
export async function startTcpProxy(
  host: string,
  port: number,
  listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
): Promise<TcpProxy> {
  let down = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(port, host);
    open.add(client);
    open.add(upstream);
    const forget = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
