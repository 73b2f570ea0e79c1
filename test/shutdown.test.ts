// Shutdown waits for handlers whose client hung up: the server stops tracking such a connection, but its handler still
// uses the database that shutdown is about to close.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { handlersInFlight } from '../api/http/middleware.ts';

describe('handlers in flight', () => {
  it('drains only after a handler whose client hung up has finished', async () => {
    const handlers = handlersInFlight();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    let finished = false;
    const app = new Koa();
    app.use(handlers.middleware);
    app.use(async (ctx) => {
      entered();
      await released;
      finished = true;
      ctx.body = 'done';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;

    const abort = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal }).catch(() => 'aborted');
    await started;
    abort.abort();
    expect(await request).toBe('aborted');
    // The server no longer counts the connection...
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // ...but the handler is still running, so draining waits for it.
    let drained = false;
    const draining = handlers.drained(5_000).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    release();
    await draining;
    expect(finished).toBe(true);
  });

  it('gives up waiting after its timeout', async () => {
    const handlers = handlersInFlight();
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    const app = new Koa();
    app.use(handlers.middleware);
    app.use(() => {
      entered();
      return new Promise(() => {});
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal }).catch(() => 'aborted');
    // In the handler, whatever the machine's speed: a handler not yet reached would be no handler to wait for.
    await started;
    // The handler never ends; draining still does.
    await expect(handlers.drained(100)).resolves.toBeUndefined();
    abort.abort();
    await request;
    server.closeAllConnections();
    server.close();
  });
});
