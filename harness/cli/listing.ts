// What `pnpm scenario --list` and `pnpm scenario <name> --help` print, from the manifest alone.
import { allowed, runsOn, shownDefault, type ScenarioManifest } from '../scenario/manifest.ts';

const POSTMORTEMS: Record<ScenarioManifest['postmortem'], string> = {
  'numchuck-gc-teardown': 'numchuck: engines freed by the garbage collector under their running audio threads (docs/postmortems.md#1)',
  'max-kernel-stop': 'the Max Jupyter kernel whose threads slept in poll(-1), so stopping it hung (docs/postmortems.md#2)',
  'rtmidi-threaded-init': 'rtmidi initialised from a Tkinter callback: fatal GIL error (docs/postmortems.md#3)',
  'finetune-orphans': "FineTune's taps that outlived a crash or kill -9 and kept other apps muted (docs/postmortems.md#4)",
  none: 'none',
};

const params = (m: ScenarioManifest): string =>
  Object.entries(m.params)
    .map(([k, p]) => `${k}=${shownDefault(p)}`)
    .join(' ');

// Aligned columns: name, summary, then its parameters with their defaults on the next line.
export function listing(catalogue: readonly ScenarioManifest[]): string {
  const w = Math.max(...catalogue.map((s) => s.name.length));
  const lines = ['scenarios:'];
  for (const s of catalogue) {
    lines.push(`  ${s.name.padEnd(w)}  ${s.summary}`);
    if (Object.keys(s.params).length) lines.push(`  ${''.padEnd(w)}  --set ${params(s)}`);
  }
  lines.push('', 'pnpm scenario <name> --help for one scenario in full.');
  return lines.join('\n');
}

export function scenarioHelp(m: ScenarioManifest): string {
  const keys = Object.keys(m.params);
  const kw = Math.max(0, ...keys.map((k) => k.length));
  const dw = Math.max(0, ...keys.map((k) => shownDefault(m.params[k]!).length));
  const needs = [...(m.needs.traits ?? []).map((t) => `trait ${t}`), ...(m.needs.controls ?? []).map((c) => `control ${c}`)];
  const target = m.targetBy
    ? `chosen by --set ${m.targetBy.param}: ${Object.entries(m.targetBy.targets)
        .map(([k, f]) => `${k} -> ${f}`)
        .join(', ')}`
    : (m.target ?? 'fixtures/targets/engine.json');
  return [
    `${m.name}: ${m.summary}`,
    '',
    m.description,
    '',
    `guards:      ${POSTMORTEMS[m.postmortem]}`,
    `target:      ${target} (or --target <config>)`,
    `needs:       ${needs.length ? needs.join(', ') : 'any program'}`,
    `runs on:     ${osLine(m)}`,
    ...(m.rigs ? [`rigs:        ${m.rigs.allow.map((r) => `--rig ${r}`).join(', ')} only: ${m.rigs.why}`] : []),
    `must fail:   ${m.bugs.length ? m.bugs.map((b) => `--bug ${b}`).join('; ') : 'no bug switch'}`,
    '',
    keys.length ? 'parameters (--set key=value):' : 'parameters: none',
    ...keys.map((k) => {
      const p = m.params[k]!;
      return `  ${k.padEnd(kw)}  ${shownDefault(p).padEnd(dw)}  ${p.meaning}; ${allowed(p)}`;
    }),
  ].join('\n');
}

// The systems it runs on, and on Windows its own default target or why not.
function osLine(m: ScenarioManifest): string {
  if (!runsOn(m, 'win32')) return `Linux, macOS; not Windows: ${m.windows?.why ?? 'not ported'}`;
  return `Linux, macOS, Windows${m.windows?.target ? ` (there: --target ${m.windows.target})` : ''}`;
}
