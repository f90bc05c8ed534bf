// crash: FineTune's crash guard (docs/postmortems.md#4). The engine crashes for real (a null write,
// abort(), a SIGBUS page, int3, ud2, a divide by zero) on a chosen thread while it taps a victim.
// Its crash guard must destroy every tracked tap before the process dies, so the victim is heard
// again with no relaunch. --set point=teardown crashes inside the destroy of the crossfade tap,
// where "untrack before destroy" decides whether the guard destroys an object twice.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { adapterFor } from './lib/targets/adapter.ts';

// The target's kind decides how the crash is made (from inside on a thread, or a signal from
// outside) and what it proves (scenarios/lib/targets/); the diagnosis names the layer that failed.
defineScenario(SCENARIOS.crash, (ctx) =>
  adapterFor(ctx).crash(ctx, { signal: ctx.params.word('signal'), thread: ctx.params.word('thread'), point: ctx.params.word('point') }),
);
