import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Emulators and subprocesses share 2 cores with the test workers; keep parallelism modest so
    // the suite stays deterministic on a loaded machine.
    maxWorkers: 2,
    // Offline: the Google clients must not probe for a GCE metadata server (it only warns).
    env: { METADATA_SERVER_DETECTION: 'none' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
