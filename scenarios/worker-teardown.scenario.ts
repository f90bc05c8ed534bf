// worker-teardown: engines inside a worker thread that ends (terminated from the main thread,
// returns, calls process.exit(), throws) while the process lives on. The worker's environment
// goes without the process: its engines must be stopped, their threads joined and their taps
// destroyed then, not at the process's exit, and the process must be left whole.
import { defineEndingsScenario } from './lib/live-engines.ts';
import { SCENARIOS } from './manifest.ts';

defineEndingsScenario(SCENARIOS['worker-teardown'], 'worker');
