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
});
