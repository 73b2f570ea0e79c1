// Serves the candidate web app (web/dist, built by `npm run build:web`) from the API's own port, so one URL works.
// Only GET/HEAD of the app's page paths and its hashed assets are answered here; everything else (the /v1 API,
// /openapi.json, /healthz) passes straight through.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';

export const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The app's pages; the app itself tells them apart. /hr and everything under it is the HR workspace's route tree
// (its own router answers unknown paths with a not-found page).
const pagePattern = /^\/(?:join(?:\/[^/]+)?|prepare|interview|done|schedule|hr(?:\/[^.]*)?)?\/?$/;

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// The build writes .br and .gz beside each asset (web/vite.config.ts); a candidate on a slow line gets the smallest
// one their browser takes, never the raw file when a compressed one would do.
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

async function precompressed(ctx: Koa.Context, file: string): Promise<Buffer> {
  for (const { name, suffix } of encodings) {
    if (ctx.acceptsEncodings(name, 'identity') !== name) continue;
    const body = await readFile(file + suffix).catch(() => null);
    if (!body) continue;
    ctx.set('Content-Encoding', name);
    return body;
  }
  return readFile(file);
}

export function serveWebApp(dist: string = webDist): Koa.Middleware {
  let index: Promise<Buffer | null> | null = null;
  const loadIndex = () => (index ??= readFile(path.join(dist, 'index.html')).catch(() => null));
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (pagePattern.test(ctx.path)) {
      const html = await loadIndex();
      if (!html) return next();
      ctx.type = 'text/html; charset=utf-8';
      // The page is tiny and names the current asset hashes: always revalidate it. The link token in the query
      // must not leak to other sites through the Referer header.
      ctx.set('Cache-Control', 'no-cache');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = html;
      return;
    }
    if (ctx.path.startsWith('/assets/')) {
      const file = path.join(dist, path.normalize(ctx.path).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(path.join(dist, 'assets'))) return next();
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return next();
      ctx.type = types[path.extname(file)] ?? 'application/octet-stream';
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.vary('Accept-Encoding');
      ctx.body = await precompressed(ctx, file);
      return;
    }
    return next();
  };
}
