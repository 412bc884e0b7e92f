import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers on 127.0.0.1 with port 0; files run in parallel workers.
    pool: 'forks',
  },
});
