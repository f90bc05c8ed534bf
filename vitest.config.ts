import { defineConfig } from 'vitest/config';

const WINE = ['scenarios/windows.test.ts', 'scenarios/windows-node.test.ts', 'scenarios/winproc.test.ts'];

// Three projects (the scenarios themselves are run by hilt's CLI, not by vitest):
//  unit     - pure TypeScript tests next to the code (parsing, arithmetic); fast, no rig.
//  suite    - scenario tests: run the real `pnpm scenario` CLI and read its summary.json.
//  wine     - the Windows side under Wine (the engine driven from Linux, hilt under Windows's Node):
//             after the suite, so Wine's CPU load does not skew the suite's timed checks (a victim's
//             1 s resume on the system rig missed twice in fresh clones while they ran side by side).
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
          exclude: ['scenarios/manifest.test.ts', '**/node_modules/**', ...WINE],
          // Each test drives whole CLI runs against a real audio server, its own: every run starts
          // a private rig (the system-rig tests a stand-in session of their own), so files run
          // side by side, one per core; unit tests run first (their own group).
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'wine',
          include: WINE,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One file at a time: beside the Windows-side tests, winproc.test.ts's launcher did not exit after
          // TerminateJobObject in three fresh clones (each file has a prefix of its own; not explained).
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
