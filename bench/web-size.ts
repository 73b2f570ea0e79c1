// Prints what the candidate's browser actually receives for the join page's first load: the page and the JS and CSS
// that web/dist/index.html pulls in before any user action, fetched from the API's own static server with the
// Accept-Encoding Chromium sends, counting the bytes on the wire. Then the chunks loaded later (interview, LiveKit;
// the HR workspace) the same way. Builds the app first unless --no-build. Goal: first load ≤ 200 KB sent.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { serveWebApp } from '../api/web/static.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = path.join(root, 'web', 'dist');
const goalKB = 200;
const chromiumAcceptEncoding = 'gzip, deflate, br, zstd';

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

const app = new Koa();
app.use(serveWebApp(dist));
const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** The response as sent: node's http client does not decompress, so the body length is the bytes on the wire. */
function fetchSent(urlPath: string): Promise<{ file: string; sent: number; raw: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/${urlPath}`, { headers: { 'accept-encoding': chromiumAcceptEncoding } }, (res) => {
        let sent = 0;
        res.on('data', (chunk: Buffer) => (sent += chunk.length));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${urlPath}: HTTP ${res.statusCode}`));
          const raw = urlPath.startsWith('assets/') ? readFileSync(path.join(dist, urlPath)).length : sent;
          resolve({ file: urlPath || '(page)', sent, raw, encoding: String(res.headers['content-encoding'] ?? 'identity') });
        });
      })
      .on('error', reject);
  });
}

const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
// Everything index.html references: the entry script, modulepreloads and stylesheets.
const firstLoad = [...new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!))];
const later = readdirSync(path.join(dist, 'assets'))
  .filter((f) => /\.(js|css)$/.test(f))
  .map((f) => `assets/${f}`)
  .filter((f) => !firstLoad.includes(f));

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const line = (s: Awaited<ReturnType<typeof fetchSent>>) =>
  console.log(`  ${s.file.padEnd(42)} ${kb(s.raw).padStart(8)} KB raw ${kb(s.sent).padStart(8)} KB sent (${s.encoding})`);

const first = [await fetchSent('join'), ...(await Promise.all(firstLoad.map(fetchSent)))];
const total = first.reduce((sum, s) => sum + s.sent, 0);
console.log(`join page, first load (page + JS + CSS), as sent for Accept-Encoding: ${chromiumAcceptEncoding}`);
first.forEach(line);
console.log(`  ${'total'.padEnd(42)} ${''.padStart(15)} ${kb(total).padStart(8)} KB sent  (goal ≤ ${goalKB} KB)`);
console.log('loaded later (interview with LiveKit, scheduling, HR workspace):');
(await Promise.all(later.map(fetchSent))).forEach(line);
server.close();

// A public livekit-client method name, which minification keeps.
const livekitInFirst = firstLoad.some((f) => readFileSync(path.join(dist, f), 'utf8').includes('registerTextStreamHandler'));
const uncompressed = first.filter((s) => s.file.startsWith('assets/') && s.encoding === 'identity');
console.log(`livekit-client in the first load: ${livekitInFirst ? 'YES (should be lazy)' : 'no'}`);
if (uncompressed.length) console.log(`sent uncompressed: ${uncompressed.map((s) => s.file).join(', ')}`);
process.exitCode = total <= goalKB * 1024 && !livekitInFirst && !uncompressed.length ? 0 : 1;
