// hilt's command line (pnpm scenario | rig | report | gate | bench). It runs hilt compiled to
// JavaScript in node_modules/.cache/hilt/: Node starts that several times faster, and in less
// memory, than it compiles TypeScript on the fly. When a source is newer than that build (a
// checkout, an edit), it compiles again first, once, under a lock shared by concurrent calls.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'hilt');
const STAMP = join(OUT, 'stamp.json');
const ENTRIES = {
  scenario: 'scenarios/cli',
  rig: 'scenarios/rig-cli',
  report: 'scenarios/report-cli',
  gate: 'scenarios/gate-cli',
  bench: 'scenarios/bench/bench',
  'wine-prefix': 'scenarios/wine-prefix',
};

// What the build is made of: every non-test .ts under harness/ and scenarios/, and the configs.
function sourcesState() {
  let newest = 0;
  let count = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        count++;
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  walk(join(ROOT, 'harness'));
  walk(join(ROOT, 'scenarios'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return { newest, count };
}

function isFresh(state) {
  try {
    const built = JSON.parse(readFileSync(STAMP, 'utf8'));
    return built.newest >= state.newest && built.count === state.count;
  } catch {
    return false;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// One compile at a time (tests start many CLIs at once); a lock older than 2 minutes is a dead one's.
function build() {
  const lock = `${OUT}.lock`;
  const deadline = Date.now() + 180_000;
  mkdirSync(dirname(OUT), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`hilt: another call has been compiling hilt for 3 minutes (${lock}); remove that folder`);
      sleep(50);
    }
  }
  try {
    const state = sourcesState(); // taken before compiling: an edit made meanwhile compiles again next time
    if (isFresh(state)) return;
    process.stderr.write('hilt: compiling hilt (its sources are newer than node_modules/.cache/hilt)\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const t0 = Date.now();
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    // Node reads .js below node_modules as CommonJS unless told: the build is ES modules.
    writeFileSync(join(OUT, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(STAMP, JSON.stringify(state) + '\n');
    process.stderr.write(`hilt: compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const [command] = process.argv.slice(2);
const entry = ENTRIES[command];
if (command !== 'build' && !entry) {
  process.stderr.write(`hilt: unknown command "${command ?? ''}"\n  expected: build, or one of ${Object.keys(ENTRIES).join(', ')}\n`);
  process.exit(2);
}
if (!isFresh(sourcesState())) {
  try {
    build();
  } catch (e) {
    process.stderr.write(`hilt: compiling hilt failed: ${e.message}\n  to fix:   pnpm typecheck shows where\n`);
    process.exit(2);
  }
}
if (command === 'build') process.exit(0);
// Windows's Node: under Wine pnpm's links look like folders; see pnpm-under-wine.mjs.
if (process.platform === 'win32') {
  const hoisted = join(ROOT, 'node_modules', '.pnpm', 'node_modules', 'hilt-resolve-from-here.js');
  register('./pnpm-under-wine.mjs', import.meta.url, { data: { hoisted } });
}
process.argv.splice(2, 1); // the entry reads its own arguments from argv[2] on, as when run directly
await import(pathToFileURL(join(OUT, `${entry}.js`)).href);
