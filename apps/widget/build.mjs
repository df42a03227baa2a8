import { build } from 'esbuild';

// One self-contained script for any site: an IIFE (no globals but window.OrbitDeskChat), modern but not newest JS.
await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  outfile: 'dist/widget.js',
});
