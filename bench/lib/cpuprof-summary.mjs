#!/usr/bin/env node
// Summarises a V8 .cpuprofile: self time by package/area and the top functions. Usage: node cpuprof-summary.mjs FILE
import fs from 'node:fs';

const prof = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++)
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url, fn) {
  if (!url)
    return fn === '(garbage collector)'
      ? 'GC'
      : fn === '(idle)'
        ? 'idle'
        : fn === '(program)'
          ? 'program (native/V8)'
          : `native: ${fn}`;
  const m = url.match(/node_modules\/\.pnpm\/([^/]+)\//) ?? url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) return m[1].replace(/@\d[^/]*$/, '').replace(/_.*$/, '');
  if (url.includes('/apps/api/dist/'))
    return 'orbitdesk api: ' + url.split('/apps/api/dist/')[1].split('/').slice(0, 2).join('/');
  if (url.includes('/packages/shared/')) return '@orbitdesk/shared';
  if (url.startsWith('node:')) return url;
  return url;
}
const areas = new Map();
const fns = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const { url, functionName, lineNumber } = n.callFrame;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + t);
  const k = `${functionName || '(anon)'} ${a}:${lineNumber + 1}`;
  fns.set(k, (fns.get(k) ?? 0) + t);
}
const busy = total - (areas.get('idle') ?? 0);
console.log(`total ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s`);
console.log('\nself time by area (% of busy):');
for (const [a, t] of [...areas]
  .filter(([a]) => a !== 'idle')
  .sort((x, y) => y[1] - x[1])
  .slice(0, 30))
  console.log(`  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${a}`);
console.log('\ntop functions by self time:');
for (const [f, t] of [...fns]
  .filter(([f]) => !f.startsWith('(idle)'))
  .sort((x, y) => y[1] - x[1])
  .slice(0, 30))
  console.log(`  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${f}`);
