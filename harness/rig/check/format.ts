// `rig check` for a person (one line per fact, what is missing with the command that fixes it, the
// verdict) and for the workflows (--json: the whole report). Pure: unit-tested.
import type { CheckLine, RigCheckReport } from './facts.ts';

const LABELS: Record<string, string> = {
  os: 'os',
  cpus: 'cpus',
  server: 'audio server',
  devices: 'devices',
  loopback: 'loopback',
  session: 'session',
  midi: 'midi',
  containment: 'containment',
  debugger: 'debugger',
  xvfb: 'xvfb',
  wine: 'wine',
  mingw: 'mingw',
};

const STATUS: Record<CheckLine['status'], string> = { ok: 'ok', info: '--', missing: 'MISSING', failed: 'FAILED' };

const RIG_TITLE = {
  virtual: "virtual rig (hilt's own private PipeWire, started for the check and stopped after it)",
  system: "system rig (the session's own audio server; hilt only adds and removes its own hilt-check-<pid> sink)",
};

const WASAPI_TITLE = "system rig (Windows' own audio endpoints through WASAPI; hilt loads and changes nothing there)";
const COREAUDIO_TITLE = "system rig (the Mac's own CoreAudio devices, BlackHole 2ch as the observed output; hilt changes nothing there)";

export function formatRigCheck(r: RigCheckReport): string {
  const system = r.rig === 'system' && { win32: WASAPI_TITLE, darwin: COREAUDIO_TITLE }[r.host.os as string];
  const out = [`hilt rig check: ${system || RIG_TITLE[r.rig]}`];
  const width = Math.max(...r.lines.map((l) => (LABELS[l.id] ?? l.id).length));
  for (const l of r.lines) {
    const optional = !l.required && (l.status === 'missing' || l.status === 'info') && l.fix ? ' (optional)' : '';
    out.push(`  ${STATUS[l.status].padEnd(7)}  ${(LABELS[l.id] ?? l.id).padEnd(width)}  ${l.text}${optional}`);
    if (l.fix && l.status !== 'ok') out.push(`  ${''.padEnd(7)}  ${''.padEnd(width)}  to fix: ${l.fix}`);
  }
  const blocking = r.lines.filter((l) => l.required && (l.status === 'missing' || l.status === 'failed'));
  out.push(
    r.usable
      ? `verdict: usable (exit 0) in ${(r.durationMs / 1000).toFixed(1)} s`
      : `verdict: unavailable (exit 77): ${blocking.map((l) => LABELS[l.id] ?? l.id).join(', ')} not usable; see "to fix" above`,
  );
  return out.join('\n');
}

export const rigCheckJson = (r: RigCheckReport): string => JSON.stringify(r, null, 2);
