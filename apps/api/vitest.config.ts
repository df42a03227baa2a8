import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC emits the decorator metadata Nest's dependency injection needs; esbuild does not.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@orbitdesk/shared': fileURLToPath(new URL('../../packages/shared/src/index.ts', import.meta.url)),
      // The AI service runs in-process in API specs (test/support/ai-service.ts), from source like shared.
      '@orbitdesk/ai': fileURLToPath(new URL('../../services/ai/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
