// Prints the candidate join page's first-load size: the JS and CSS that web/dist/index.html pulls in before any
// user action, gzipped (level 6, as most servers do), and the chunks loaded later (LiveKit) for comparison.
// Builds the app first unless --no-build. Goal: first load ≤ 200 KB gzipped.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = path.join(root, 'web', 'dist');
const goalKB = 200;

if (!process.argv.includes('--no-build')) {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
// Everything index.html references: the entry script, modulepreloads and stylesheets.
const firstLoad = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!));
const all = readdirSync(path.join(dist, 'assets'))
  .filter((f) => /\.(js|css)$/.test(f))
  .map((f) => `assets/${f}`);

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
function sizes(file: string) {
  const raw = readFileSync(path.join(dist, file));
  return { file, raw: raw.length, gzip: gzipSync(raw, { level: 6 }).length };
}

const first = [...firstLoad].map(sizes);
const later = all.filter((f) => !firstLoad.has(f)).map(sizes);
const total = first.reduce((sum, s) => sum + s.gzip, 0);

console.log('join page, first load (JS + CSS):');
for (const s of first)
  console.log(`  ${s.file.padEnd(40)} ${kb(s.raw).padStart(8)} KB raw ${kb(s.gzip).padStart(8)} KB gzip`);
console.log(`  ${'total'.padEnd(40)} ${''.padStart(15)} ${kb(total).padStart(8)} KB gzip  (goal ≤ ${goalKB} KB)`);
console.log('loaded later (interview, LiveKit):');
for (const s of later)
  console.log(`  ${s.file.padEnd(40)} ${kb(s.raw).padStart(8)} KB raw ${kb(s.gzip).padStart(8)} KB gzip`);
// A public livekit-client method name, which minification keeps.
const livekitInFirst = first.some((s) =>
  readFileSync(path.join(dist, s.file), 'utf8').includes('registerTextStreamHandler'),
);
console.log(`livekit-client in the first load: ${livekitInFirst ? 'YES (should be lazy)' : 'no'}`);
process.exitCode = total <= goalKB * 1024 && !livekitInFirst ? 0 : 1;
