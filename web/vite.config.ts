import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// In development the page is served by Vite and the API by `npm run api` (or `npm start`) on API_URL.
const api = process.env.API_URL ?? 'http://127.0.0.1:3000';

/**
 * Writes `.br` and `.gz` beside every built JS, CSS and SVG file, at the highest levels (paid once at build time),
 * so the API sends compressed bytes without compressing per request (api/web/static.ts negotiates).
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const assets = path.join(outDir, 'assets');
      const files = (await readdir(assets)).filter((f) => /\.(js|css|svg)$/.test(f));
      await Promise.all(
        files.map(async (file) => {
          const raw = await readFile(path.join(assets, file));
          const [br, gz] = await Promise.all([
            promisify(brotliCompress)(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
            promisify(gzip)(raw, { level: 9 }),
          ]);
          await Promise.all([
            writeFile(path.join(assets, `${file}.br`), br),
            writeFile(path.join(assets, `${file}.gz`), gz),
          ]);
        }),
      );
    },
  };
}

/**
 * Pyodide loads its runtime, standard library and package lock from one folder (its indexURL): the coding editor's
 * Python sandbox finds them at /assets/pyodide/, copied from the installed package.
 */
function pyodideAssets(): Plugin {
  let outDir = '';
  return {
    name: 'pyodide-assets',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const from = path.resolve(import.meta.dirname, '../node_modules/pyodide');
      const to = path.join(outDir, 'assets', 'pyodide');
      await mkdir(to, { recursive: true });
      for (const file of ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
        await copyFile(path.join(from, file), path.join(to, file));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress(), pyodideAssets()],
  // The coding sandboxes' Web Worker imports its engine per language.
  worker: { format: 'es' },
  // The interview chunk (LiveKit) is ~580 KB raw but loaded only when the interview starts; bench:web watches the
  // join page's first load instead.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 700 },
  server: { proxy: { '/v1': api, '/healthz': api } },
});
