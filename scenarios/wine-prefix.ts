// `pnpm build:native:win` ends here: hilt's private Wine prefix made once (about 6 s), so the first
// scenario on a Windows target does not pay for it. Safe to run again: a ready prefix is kept.
import { ensurePrefix, WINE_PREFIX } from '../harness/target/wine.ts';

const made = await ensurePrefix(WINE_PREFIX, (line) => process.stderr.write(`hilt: ${line}\n`));
process.stderr.write(`hilt: Wine prefix ${WINE_PREFIX} ${made.madeMs === undefined ? 'ready' : `made in ${Math.round(made.madeMs)} ms`}\n`);
