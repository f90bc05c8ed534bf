// worker-teardown: engines inside a worker thread that ends (terminated from the main thread,
// returns, calls process.exit(), throws) while the process lives on. The worker's environment
// goes without the process: its engines must be stopped, their threads joined and their taps
// destroyed then, not at the process's exit, and the process must be left whole.
import { defineEndingsScenario } from './lib/live-engines.ts';

defineEndingsScenario(
  'worker-teardown',
  'Engines run inside a worker thread that is terminated (or returns, exits, throws) while the process lives on: no crash, every engine stopped and its tap destroyed with the worker, threads back to baseline.',
  'worker',
);
