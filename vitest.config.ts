import { defineConfig } from 'vitest/config';

// Two projects (the scenarios themselves are run by hilt's CLI, not by vitest):
//  unit     - pure TypeScript tests next to the code (parsing, arithmetic); fast, no rig.
//  suite    - scenario tests: run the real `pnpm scenario` CLI and read its summary.json.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'native/**/*.test.ts', 'scenarios/manifest.test.ts'],
          // Build output: the Wine prefix in native/build-win links Z: to / (a crawl would walk the disk).
          exclude: ['native/build*/**', '**/node_modules/**'],
          testTimeout: 20_000,
          // One module graph per worker, not per file: the unit files share no state (none patches a
          // module; the one that sets an env variable puts it back), and starting each file afresh
          // cost 26 of the project's 39 s for 13 s of tests.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'suite',
          include: ['scenarios/**/*.test.ts', 'fixtures/**/*.test.ts'],
          exclude: ['scenarios/manifest.test.ts', '**/node_modules/**'],
          // Each test drives whole CLI runs against a real audio server, its own: every run starts
          // a private rig (the system-rig tests a stand-in session of their own), so files run
          // side by side, one per core; unit tests run first (their own group).
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
