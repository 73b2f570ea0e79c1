import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { databaseUnavailable } from '../../shared/db/errors.ts';
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

// Seconds a client is told to wait when the database is out of reach: about what a Postgres restart takes.
const databaseRetryAfterSeconds = 5;

/** The error as the client gets it; logs why, once per request, when it is not one of ours. */
function asAppError(error: unknown, log: Logger, reqId: unknown): AppError {
  if (error instanceof AppError) return error;
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    // A known condition, not a bug: one line with the driver's code and message, no stack.
    log.warn({ reqId, dbError: unavailable }, 'database unavailable');
    return new AppError(
      'service_unavailable',
      'The service cannot reach its database right now. Try again in a few seconds.',
      { retryAfterSeconds: databaseRetryAfterSeconds },
      { 'Retry-After': String(databaseRetryAfterSeconds) },
    );
  }
  log.error({ err: error, reqId }, 'unhandled error');
  return new AppError('internal', 'Something went wrong on our side. The request id identifies it.');
}

/**
 * Every failure leaves as application/problem+json: the database out of reach as a 503 the client can retry,
 * anything else unexpected as a bare 500 that leaks no internals.
 */
export function problemHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', 'No such endpoint.');
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new AppError('method_not_allowed', `${ctx.method} is not supported here.`);
      }
    } catch (error) {
      const appError = asAppError(error, log, ctx.state.requestId);
      for (const [name, value] of Object.entries(appError.headers)) ctx.set(name, value);
      ctx.status = appError.status;
      ctx.type = 'application/problem+json';
      ctx.body = appError.toProblem(String(ctx.state.requestId ?? ''));
    }
  };
}
