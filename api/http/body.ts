import type { Context } from 'koa';
import { AppError } from './problem.ts';

const maxBodyBytes = 1024 * 1024;

/** Reads the request body as text. Kept raw so webhook signatures can be checked over the exact bytes. */
export async function readRawBody(ctx: Context, limit = maxBodyBytes): Promise<string> {
  return (await readRawBytes(ctx, limit)).toString('utf8');
}

/** Reads the request body as bytes (an uploaded file), refusing it with 413 as soon as it passes `limit`. */
export async function readRawBytes(ctx: Context, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(ctx.request.length ?? 0);
  if (declared > limit) throw new AppError('payload_too_large', `Bodies are limited to ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('payload_too_large', `Bodies are limited to ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJsonBody(ctx: Context): Promise<unknown> {
  const raw = await readRawBody(ctx);
  if (raw.trim() === '') return undefined;
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError('validation_failed', 'The request body is not valid JSON.', {
      errors: [{ path: 'body', message: 'Malformed JSON' }],
    });
  }
  // Postgres text cannot hold a NUL character: refused here, for every body, instead of failing at the database.
  // JSON can only carry one escaped, so bodies without that escape skip the walk.
  if (raw.includes('\\u0000')) {
    const path = nulPath(body, 'body');
    if (path) {
      throw new AppError('validation_failed', 'Text may not contain NUL characters.', {
        errors: [{ path, message: 'Contains a NUL character' }],
      });
    }
  }
  return body;
}

function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = nulPath(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
