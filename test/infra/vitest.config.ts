// Runs only the infra tests, without the integration project's global setup (which starts the dev instance on
// the default ports): the infra integration test starts and stops its own services on free ports.
//   npx vitest run --config test/infra/vitest.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/infra/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
