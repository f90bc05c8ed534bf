// kill9: FineTune's postmortem (docs/postmortems.md#4). The engine is kill -9'd while it taps and
// mutes a victim. SIGKILL cannot be caught, so the postmortem left it to the next launch's
// sweep; the engine's guardian process makes the immediate path exist: it sees the death and
// destroys the taps at once. With --bug no-guardian the scenario relaunches the engine and the
// sweep must do it (the report shows the longer silence); with no sweep either, the victim stays
// muted and the scenario fails.
import { defineScenario } from '../harness/scenario/define.ts';
import { SCENARIOS } from './manifest.ts';
import { adapterFor } from './lib/targets/adapter.ts';

// The target's kind decides how the kill is made and what it proves (scenarios/lib/targets/).
defineScenario(SCENARIOS.kill9, (ctx) => adapterFor(ctx).kill(ctx));
