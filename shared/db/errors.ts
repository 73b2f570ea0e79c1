/** Why the database could not serve a statement, in words fit for a log line: no stack, no SQL, no parameters. */
export interface DatabaseUnavailable {
  /** The SQLSTATE or the socket error code, when there is one. */
  code: string | undefined;
  message: string;
}

// Socket errors on the way to the server: nothing listens, the peer went away, the host or its name is gone.
// ENOENT counts only from connect(), where it means a Unix socket path with no server behind it.
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATEs that say "not now" rather than "not this statement": class 08 (connection exception), 57P01/57P02
// (the server is shutting down or crashed), 57P03 (starting up, shutting down, in recovery) and 53300 (no
// connection slot left).
const sqlStates = /^(08...|57P0[123]|53300)$/;

// node-postgres and its pool raise these as plain Errors without a code (pg 8, pg-pool 3). "Connection terminated"
// covers "unexpectedly" and "due to connection timeout".
const driverMessages =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

function matches(error: unknown): DatabaseUnavailable | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, syscall } = error as { code?: unknown; message?: unknown; syscall?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    if (socketCodes.has(code) || sqlStates.test(code) || (code === 'ENOENT' && syscall === 'connect')) {
      return { code, message: text };
    }
    return undefined;
  }
  return driverMessages.test(text) ? { code: undefined, message: text } : undefined;
}

/**
 * Tells an error that means the database is down, restarting or out of connections (try again shortly: HTTP 503,
 * a worker's backoff) from one a statement or its data caused (a bug or bad input). Kysely rethrows the driver's
 * error as it is. An AggregateError (Node's, when every address of a host refused) counts by its errors. `cause` is
 * not followed: a failed fetch() to another service carries its ECONNREFUSED there, and that is not the database.
 */
export function databaseUnavailable(error: unknown): DatabaseUnavailable | undefined {
  const found = matches(error);
  if (found || !(error instanceof AggregateError)) return found;
  for (const inner of error.errors) {
    const innerFound = matches(inner);
    if (innerFound) return innerFound;
  }
  return undefined;
}
