// worker-teardown: engines inside a worker thread that ends (terminated from the main thread,
// returns, calls process.exit(), throws) while the process lives on. The worker's environment
// goes without the process: its engines must be stopped, their threads joined and their taps
// destroyed then, not at the process's exit, and the process must be left whole.
import { defineScenario } from '../harness/scenario/define.ts';
import { EngineSession } from './lib/engine-session.ts';
import { endWithLiveEngines, endingsParam, finishEndings } from './lib/live-engines.ts';

defineScenario(
  'worker-teardown',
  'Engines run inside a worker thread that is terminated (or returns, exits, throws) while the process lives on: no crash, every engine stopped and its tap destroyed with the worker, threads back to baseline.',
  async (ctx) => {
    const hows = endingsParam(ctx, 'worker');
    const session = new EngineSession(ctx);
    const baseline = await ctx.run.phase('baseline inventory', 5000, () => session.snapshot());
    await session.victim();
    const outcomes = [];
    for (const how of hows) outcomes.push(await endWithLiveEngines(ctx, session, baseline, 'worker', how));
    await finishEndings(ctx, outcomes);
  },
);
