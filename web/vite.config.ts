// The browser app's build: Preact, hashed assets under /assets, output in web/dist (served
// by src/server). Run from the repository root with `vite build web`.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/git': 'http://127.0.0.1:8080' } },
});
