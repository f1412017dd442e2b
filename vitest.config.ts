import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/sdk/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // Lifetime tests call gc(): run test files in child processes started with --expose-gc.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
  },
});
