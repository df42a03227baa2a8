#!/usr/bin/env node
// Size of the live-chat widget bundle (apps/widget/dist/widget.js) against its budget: 40 kB gzipped.
// Also measures socket.io-client alone (bundled and minified the same way), to show what the widget's own code costs.
// Usage: pnpm --filter @orbitdesk/widget build && node bench/widget-size.mjs      (exit 1 when over budget)
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WIDGET = path.join(ROOT, 'apps/widget');
const BUNDLE = path.join(WIDGET, 'dist/widget.js');
const BUDGET_GZIP = 40_000;

if (!existsSync(BUNDLE)) {
  console.error(`${BUNDLE} is missing: run \`pnpm --filter @orbitdesk/widget build\` first`);
  process.exit(2);
}

const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

// socket.io-client on its own, with the widget's own esbuild and settings (browser build, IIFE, minified).
const { build } = createRequire(path.join(WIDGET, 'package.json'))('esbuild');
const alone = await build({
  stdin: { contents: "import { io } from 'socket.io-client'; window.__io = io;", resolveDir: WIDGET },
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  write: false,
});

const widget = sizes(readFileSync(BUNDLE));
const socketio = sizes(Buffer.from(alone.outputFiles[0].contents));
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
const rows = [
  ['', 'raw', 'gzip -9', 'brotli 11'],
  ['widget.js', kb(widget.raw), kb(widget.gzip), kb(widget.brotli)],
  ['  of which socket.io-client', kb(socketio.raw), kb(socketio.gzip), kb(socketio.brotli)],
  ['  widget code (difference)', kb(widget.raw - socketio.raw), kb(widget.gzip - socketio.gzip), ''],
];
for (const r of rows)
  console.log(
    r[0].padEnd(30) +
      r
        .slice(1)
        .map((c) => c.padStart(11))
        .join(''),
  );
const ok = widget.gzip <= BUDGET_GZIP;
console.log(
  `\nbudget: ${kb(BUDGET_GZIP)} gzipped — ${ok ? 'within' : 'OVER'} (${((widget.gzip / BUDGET_GZIP) * 100).toFixed(0)}% used)`,
);
process.exit(ok ? 0 : 1);
