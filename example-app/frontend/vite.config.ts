import { defineConfig } from 'vite';

// `npm run dev` serves the page with hot reload and sends /api to the local run on :8080,
// mirroring CloudFront's /api/* behaviour. `npm run build` writes dist/ (hashed assets).
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
