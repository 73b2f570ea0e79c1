import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/harness.ts';
import { ensureWebBuilt } from './support/browser.ts';

// The API serves the built app on its own port without shadowing the API, the OpenAPI document or health checks.

let api: TestApi;
beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('web app served by the API', () => {
  it('answers the page paths with the app, assets with long caching, and leaves the API alone', async () => {
    for (const path of ['/', '/join', '/join/ABCD-2345', '/prepare', '/interview', '/done', '/schedule']) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await response.text()).toContain('<div id="root">');
    }
    const html = await (await fetch(`${api.url}/join?link=abc`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${api.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    expect((await fetch(`${api.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${api.url}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${api.url}/healthz`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${api.url}/openapi.json`)).headers.get('content-type')).toMatch(/json/);
    const problem = await fetch(`${api.url}/v1/public/rooms/ZZZZ-ZZZZ`);
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${api.url}/join`, { method: 'POST' })).status).toBe(404);
  });

  it('sends the precompressed asset the browser accepts (brotli, else gzip), never a compressed one it does not', async () => {
    const html = await (await fetch(`${api.url}/join`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    // node:http does not decompress, so the body is what went over the wire.
    const get = (acceptEncoding: string | null) =>
      new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>((resolve, reject) => {
        const headers: Record<string, string> = acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding };
        http
          .get(`${api.url}${script}`, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                encoding: res.headers['content-encoding'],
                vary: res.headers.vary,
                body: Buffer.concat(chunks),
              }),
            );
          })
          .on('error', reject);
      });
    const plain = await get(null);
    expect(plain.encoding).toBeUndefined();
    expect(plain.vary).toMatch(/accept-encoding/i);
    const br = await get('gzip, deflate, br, zstd');
    expect(br.encoding).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await get('gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect((await get('identity')).encoding).toBeUndefined();
  });
});
