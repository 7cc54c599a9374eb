import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/**
 * The portal's build: portal/ → dist/portal, served by the server at /portal (src/portal).
 * Preact's automatic JSX runtime through Vite's own transform (Oxc), so no framework plugin;
 * content-hashed files under assets/, which the server caches for a year.
 */
export default defineConfig({
  root: here('.'),
  base: '/portal/',
  publicDir: here('public'),
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/portal'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Every browser the portal supports has modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    // The HLS player (hls.js, ~580 KB raw) is its own chunk, loaded only when a video plays;
    // `npm run bench -- portal` keeps watch on what the first screen loads.
    chunkSizeWarningLimit: 600,
    // Inlined assets would become data: URLs, which the policy (default-src 'self') refuses.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
