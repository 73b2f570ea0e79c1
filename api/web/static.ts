// Serves the candidate web app (web/dist, built by `npm run build:web`) from the API's own port, so one URL works.
// Only GET/HEAD of the app's page paths and its hashed assets are answered here; everything else (the /v1 API,
// /openapi.json, /healthz) passes straight through.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import { ar } from '../../web/src/i18n/ar.ts';
import { en } from '../../web/src/i18n/en.ts';

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
  // The coding editor's sandboxes (Pyodide, QuickJS, PGlite).
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.zip': 'application/zip',
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

/** What the join page shows before its script runs: the public room information (RoomInfo), nothing personal. */
export interface JoinPreview {
  companyName: string;
  jobTitle: string;
  language: string;
}
export type PreviewRef = { kind: 'code'; code: string } | { kind: 'link'; token: string };

/** The interview a join page's address names, if it names one. */
function previewRef(ctx: Koa.Context): PreviewRef | null {
  const code = /^\/join\/([^/]+)\/?$/.exec(ctx.path)?.[1];
  if (code) {
    try {
      return { kind: 'code', code: decodeURIComponent(code) };
    } catch {
      return null;
    }
  }
  const link = ctx.query.link;
  return /^\/join\/?$/.test(ctx.path) && typeof link === 'string' && link ? { kind: 'link', token: link } : null;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The join page with the interview's company, role and a loading line already in its markup, in the interview's
 * language and direction: on a slow line the candidate reads them as soon as the page and its stylesheet arrive,
 * seconds before the script. The room information rides along as JSON, so the app renders the form without asking
 * for it again. React replaces the markup on its first render.
 */
function withPreview(html: string, info: JoinPreview): string {
  const arabic = info.language.toLowerCase().startsWith('ar');
  const t = arabic ? ar : en;
  const markup =
    `<header class="topbar"><span class="brand">${escapeHtml(t['app.title'])}</span></header>` +
    `<main id="main"><section class="card narrow" data-testid="preview">` +
    `<h1>${escapeHtml(t['join.title'].replace('{company}', info.companyName))}</h1>` +
    `<p>${escapeHtml(t['join.role'])}: ${escapeHtml(info.jobTitle)}</p>` +
    `<p role="status">${escapeHtml(t['common.loading'])}</p></section></main>`;
  // `<` escaped so no value can close the script element.
  const json = JSON.stringify(info).replace(/</g, '\\u003c');
  return html
    .replace(/<html lang="en" dir="ltr">/, arabic ? '<html lang="ar" dir="rtl">' : '<html lang="en" dir="ltr">')
    .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(t['app.title'])}</title>`)
    .replace(
      '<div id="root"></div>',
      `<div id="root">${markup}</div><script type="application/json" id="room-info">${json}</script>`,
    );
}

export function serveWebApp(
  dist: string = webDist,
  options: { preview?: (ref: PreviewRef, ip: string) => Promise<JoinPreview | null> } = {},
): Koa.Middleware {
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
      const ref = options.preview ? previewRef(ctx) : null;
      // A failed lookup (unknown code, rate limit, database down) serves the plain page: the app says what is wrong.
      const info = ref ? await options.preview!(ref, ctx.ip).catch(() => null) : null;
      if (info) {
        // This page carries one interview's facts: not for shared caches, nor to be kept.
        ctx.set('Cache-Control', 'no-store');
        ctx.body = withPreview(html.toString('utf8'), info);
        return;
      }
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
