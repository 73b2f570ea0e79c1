import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { BlockedAddressError, guardedLookup, hostOf, isBlockedAddress } from './ssrf.ts';

export interface SendResult {
  /** The HTTP status, or null when no response arrived (refused, timed out, blocked). */
  statusCode: number | null;
  durationMs: number;
  /** The start of the response body, for the delivery log. */
  excerpt: string | null;
  retryAfter: string | undefined;
  /** Why no response arrived; short and free of secrets. */
  error: string | null;
}

const excerptBytes = 1_024;
/** Read at most this much of a response: enough to reuse a keep-alive socket, not enough to be a sink. */
const maxReadBytes = 64 * 1_024;

// Keep-alive sockets per process: a burst to one consumer reuses connections instead of a TCP handshake each.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * POSTs one signed webhook. Never throws: every outcome, including a timeout over the whole exchange and a refused
 * address, becomes a result the worker records. Redirects are not followed (a 3xx is a failure), because a
 * redirect could lead past the address guard's intent and would re-send the body somewhere unvetted.
 */
export function sendWebhook(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };
    const fail = (error: string) => finish({ statusCode: null, excerpt: null, retryAfter: undefined, error });

    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      fail('invalid URL');
      return;
    }
    const host = hostOf(url);
    if (!input.allowPrivate && isIP(host) && isBlockedAddress(host)) {
      fail(new BlockedAddressError(host).message);
      return;
    }
    const isHttps = url.protocol === 'https:';
    const request = (isHttps ? https : http).request(url, {
      method: 'POST',
      agent: isHttps ? agents.https : agents.http,
      headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
      ...(input.allowPrivate ? {} : { lookup: guardedLookup as never }),
    });
    timer = setTimeout(() => {
      fail(`timed out after ${input.timeoutMs} ms`);
      request.destroy();
    }, input.timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => {
      fail(err instanceof BlockedAddressError ? err.message : `${err.code ?? 'error'}: ${err.message}`.slice(0, 300));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        // Postgres text cannot hold NUL; a binary answer must not make the attempt unrecordable.
        const excerpt = Buffer.concat(chunks).subarray(0, excerptBytes).toString('utf8').replaceAll('\u0000', '');
        const retryAfter = response.headers['retry-after'];
        finish({ statusCode: response.statusCode ?? null, excerpt: excerpt || null, retryAfter, error: null });
      };
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxReadBytes) chunks.push(chunk);
        else {
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(input.body);
  });
}
