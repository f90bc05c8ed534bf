// exit-with-live-engines: numchuck's second crash (docs/postmortems.md#1), exit 139 after all tests
// had passed. A Node program ends while its engines run: the event loop empties, it calls
// process.exit(), or an exception goes uncaught. Node runs the environment's cleanup hooks only
// on the first; the other two go straight to exit(). Either way every engine must be stopped,
// joined and its tap destroyed before the runtime and the process's static objects go.
import { defineEndingsScenario } from './lib/live-engines.ts';
import { SCENARIOS } from './manifest.ts';

defineEndingsScenario(SCENARIOS['exit-with-live-engines'], 'main');
