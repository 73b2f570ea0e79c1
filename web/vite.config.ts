import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the page is served by Vite and the API by `npm run api` (or `npm start`) on API_URL.
const api = process.env.API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The interview chunk (LiveKit) is ~580 KB raw but loaded only when the interview starts; bench:web watches the
  // join page's first load instead.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 700 },
  server: { proxy: { '/v1': api, '/healthz': api } },
});
