// Fails when the Drizzle schema has changes that no committed migration contains.
// drizzle-kit generate runs against a scratch copy of the migrations folder, so nothing in the repo changes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const committed = join(root, 'src/db/migrations');
// drizzle-kit only accepts an `out` relative to the project, so the scratch folder lives under .tmp/ (ignored).
mkdirSync(join(root, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.tmp', 'migrations-'));
const out = join(scratch, 'migrations');
cpSync(committed, out, { recursive: true });
const config = join(root, `.drizzle-check-${process.pid}.config.ts`);
writeFileSync(
  config,
  `import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ dialect: 'postgresql', schema: './src/db/schema/index.ts', out: ${JSON.stringify('./' + relative(root, out))} });\n`,
);
const newMigrations = () =>
  readdirSync(out).filter((f) => f.endsWith('.sql') && !readdirSync(committed).includes(f));

try {
  // drizzle-kit exits 0 even when it fails, so its output is checked too.
  const output = execFileSync('npx', ['drizzle-kit', 'generate', '--config', config, '--name', 'drift'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!/No schema changes|migration file/i.test(output)) {
    console.error(`drizzle-kit generate did not run cleanly:\n${output}`);
    process.exitCode = 1;
  } else if (newMigrations().length) {
    console.error(
      'The Drizzle schema has changes without a migration. Run: pnpm --filter @orbitdesk/api db:generate',
    );
    process.exitCode = 1;
  } else {
    console.log('migrations are in step with the schema');
  }
} finally {
  rmSync(config, { force: true });
  rmSync(scratch, { recursive: true, force: true });
}
