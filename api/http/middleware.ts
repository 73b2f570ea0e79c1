import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../../shared/logger.ts';
import { AppError } from './problem.ts';

export function requestId() {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = /^[A-Za-z0-9_.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}

/**
 * Counts handlers still running. A client that hangs up does not stop its handler, and server.close() stops waiting
 * for a connection once it is gone, so shutdown waits on this before it closes the database the handlers still use.
 */
export function handlersInFlight() {
  let running = 0;
  let onIdle: (() => void) | undefined;
  return {
    middleware: async (_ctx: Context, next: Next) => {
      running++;
      try {
        await next();
      } finally {
        running--;
        if (running === 0) onIdle?.();
      }
    },
    /** Resolves once no handler runs, or after `timeoutMs`. */
    drained(timeoutMs: number): Promise<void> {
      if (running === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

/**
 * The path as the access log shows it: the matched route's pattern, or for an unmatched path the path with any
 * segment after links/, rooms/ or scheduling/ hidden, since those carry signed links, room codes and invitations.
 */
export function loggedRoute(matchedRoute: string | undefined, path: string): string {
  return matchedRoute ?? path.replace(/\/(links|rooms|scheduling)\/[^/]+/, '/$1/:redacted');
}

/** One access-log line per request. URLs are logged without query strings, which may hold signed links. */
export function accessLog(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const level = ctx.status >= 500 ? 'error' : 'info';
      log[level]({
        reqId: ctx.state.requestId,
        method: ctx.method,
        route: loggedRoute(ctx._matchedRoute, ctx.path),
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  };
}

/** Every failure leaves as application/problem+json; unexpected ones as a bare 500 that leaks no internals. */
export function problemHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', 'No such endpoint.');
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new AppError('method_not_allowed', `${ctx.method} is not supported here.`);
      }
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : (() => {
              log.error({ err: error, reqId: ctx.state.requestId }, 'unhandled error');
              return new AppError('internal', 'Something went wrong on our side. The request id identifies it.');
            })();
      for (const [name, value] of Object.entries(appError.headers)) ctx.set(name, value);
      ctx.status = appError.status;
      ctx.type = 'application/problem+json';
      ctx.body = appError.toProblem(String(ctx.state.requestId ?? ''));
    }
  };
}
