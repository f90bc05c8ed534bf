// `pnpm build:native:win` ends here: hilt's private Wine prefix made once (about 6 s), so the first
// scenario on a Windows target does not pay for it; then Node for Windows and its own win10 prefix
// (hilt under Windows's Node: harness/target/windows-node.ts). Safe to run again: what is ready is kept.
import { ensureWindowsNode } from '../harness/target/windows-node.ts';
import { ensurePrefix, WINE_PREFIX } from '../harness/target/wine.ts';

const say = (line: string) => process.stderr.write(`hilt: ${line}\n`);
const made = await ensurePrefix(WINE_PREFIX, say);
say(`Wine prefix ${WINE_PREFIX} ${made.madeMs === undefined ? 'ready' : `made in ${Math.round(made.madeMs)} ms`}`);
say(await ensureWindowsNode(say));
