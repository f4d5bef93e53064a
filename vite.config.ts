import { defineConfig } from 'vite';

// Cross-origin isolation (COOP + COEP) lets the WASM backend use threads; the CSP allows only our own
// scripts, WebAssembly compilation, and blob workers (tfjs-wasm's pthreads).
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': CSP,
};

export default defineConfig({
  base: './',
  server: { headers, host: '127.0.0.1', port: 5173 },
  preview: { headers, host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // The app, plus a page that runs the kernel self-checks in a real browser (e2e/selfcheck.spec.ts).
    rollupOptions: { input: { main: 'index.html', selfcheck: 'selfcheck.html' } },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
