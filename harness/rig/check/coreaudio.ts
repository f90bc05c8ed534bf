// `rig check` on macOS (the CoreAudio rig): the helper and SoX, BlackHole 2ch, every device with its
// transport, the microphone grant (a tone played and only zeros back is none), a tone out and back
// (level and latency, measured as on Linux), and process taps and audio processes (optional).
import { setTimeout as sleep } from 'node:timers/promises';
import { Capture, SAMPLE_RATE } from '../../audio/capture.ts';
import { ToneSource } from '../../audio/tone-source.ts';
import { now } from '../../wait.ts';
import { chooseCoreaudioDevices, COREAUDIOD_RESTART, defaultOutputNote, listProcesses, listTaps } from '../coreaudio-rig.ts';
import type { DeviceChoice } from '../coreaudio/choose.ts';
import { GRANT_FIX, GRANT_PROBE_MS, grantFrom, type Grant } from '../coreaudio/grant.ts';
import { requireSox, soxIo } from '../coreaudio/helper.ts';
import type { Device as CaDevice, ProcessesAnswer, TapsAnswer } from '../coreaudio/parse.ts';
import type { RigFile } from '../rig-file.ts';
import type { CheckLine, Device, RigCheckReport } from './facts.ts';
import { errorLine, loopbackLine } from './lines.ts';
import { CHECK_APP, CHECK_TONE_AMPLITUDE, CHECK_TONE_HZ, measureLoopback } from './loopback.ts';

// SoX's coreaudio driver opens a device in well under a second; a first capture waits on the grant prompt.
const LOOPBACK_DEADLINE_MS = 5000;
const LOOPBACK_FIX =
  'if nothing came back at all, the microphone grant (System Settings > Privacy & Security > Microphone; a first capture ' +
  'may wait on its prompt); else reinstall BlackHole (brew reinstall blackhole-2ch) or name a pair that hears itself in a rig file';

const channelsText = (n: number | null): string => (n === null ? '?' : String(n));

// Pure: the devices as the report's devices and one line (every device, its transport; aggregates named as such).
export function devicesLine(devices: CaDevice[]): { devices: { sinks: Device[]; sources: Device[] }; line: CheckLine } {
  const device = (d: CaDevice): Device => ({ name: d.name, description: `${d.transport}, uid ${d.uid}` });
  const said = devices
    .map((d) => {
      const marks = [d.defaultOutput && 'default output', d.defaultInput && 'default input', d.aggregate?.private && 'private'];
      const subs = d.aggregate ? `, of ${d.aggregate.subDevices.join(' + ') || 'no sub-device'}` : '';
      const extra = marks.filter(Boolean).join(', ');
      const io = `in ${channelsText(d.inputChannels)} out ${channelsText(d.outputChannels)}`;
      return `"${d.name}" (${d.transport}${subs}, ${io}${extra ? `, ${extra}` : ''})`;
    })
    .join('; ');
  return {
    devices: {
      sinks: devices.filter((d) => d.outputChannels !== 0).map(device),
      sources: devices.filter((d) => d.inputChannels !== 0).map(device),
    },
    line: { id: 'devices', status: 'info', text: said || 'no audio devices', required: false },
  };
}

// Pure: the grant line from what the probe captured.
export function grantLine(g: { grant: Grant; why: string }, capture: string): CheckLine {
  if (g.grant === 'no-grant') {
    return {
      id: 'microphone',
      status: 'missing',
      text: `no microphone grant: recording "${capture}", ${g.why}`,
      fix: GRANT_FIX,
      required: true,
    };
  }
  if (g.grant === 'granted')
    return { id: 'microphone', status: 'ok', text: `microphone granted: ${g.why} on "${capture}"`, required: true };
  return { id: 'microphone', status: 'info', text: `microphone grant not told: ${g.why}`, required: false };
}

// Pure: taps and processes, optional lines (macOS before 14 / 14.2 lacks them: the inventory is smaller there).
export function tapsLine(t: TapsAnswer): CheckLine {
  if (!t.supported) {
    return {
      id: 'taps',
      status: 'missing',
      text: `process taps: ${t.why}`,
      fix: 'macOS 14.2 or later lists process taps',
      required: false,
    };
  }
  const named = t.taps.map((x) => `"${x.name ?? x.uid}"`).join(', ');
  return {
    id: 'taps',
    status: 'ok',
    text: `process taps listable (macOS ${t.macos}): ${t.taps.length}${named ? `: ${named}` : ''}`,
    required: false,
  };
}

export function processesLine(p: ProcessesAnswer): CheckLine {
  if (!p.supported) {
    return {
      id: 'processes',
      status: 'missing',
      text: `audio processes (readiness by "stream"): ${p.why}`,
      fix: 'macOS 14 or later lists audio processes',
      required: false,
    };
  }
  const playing = p.processes.filter((x) => x.runningOutput).map((x) => x.bundleId ?? `pid ${x.pid}`);
  return {
    id: 'processes',
    status: 'ok',
    text: `audio processes listable: ${p.processes.length}, playing now: ${playing.join(', ') || 'none'}`,
    required: false,
  };
}

// The grant probe: a tone into the output for GRANT_PROBE_MS and more, then what the capture got meanwhile.
async function probeGrant(capture: Capture, choice: DeviceChoice, sox: string): Promise<{ grant: Grant; why: string }> {
  const from = capture.samplesSeen;
  const tone = new ToneSource(CHECK_APP, choice.output, {}, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE, soxIo(sox));
  try {
    const heard = await capture.waitFor('present', { after: now(), minRunMs: 50, deadlineMs: GRANT_PROBE_MS + 1500 });
    if (!heard.ok) await sleep(100); // the last chunk in
    return grantFrom(capture.samples(from), SAMPLE_RATE, heard.ok);
  } finally {
    await tone.stop();
  }
}

async function coreaudioLoopback(
  capture: Capture,
  choice: DeviceChoice,
  sox: string,
): Promise<CheckLine & { result: RigCheckReport['loopback'] }> {
  const where = { output: choice.output, capture: choice.capture };
  const result = await measureLoopback(
    capture,
    () => new ToneSource(CHECK_APP, choice.output, {}, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE, soxIo(sox)),
    where,
    LOOPBACK_DEADLINE_MS,
  );
  // A recorder that exited (sox could not open the device) is the reason: its error says which.
  if (!result.ok) {
    try {
      capture.assertRunning();
    } catch (e) {
      result.problem = `${result.problem}; ${(e as Error).message}: ${(e as { seen?: string }).seen ?? ''}`;
    }
  }
  return { ...loopbackLine(result, LOOPBACK_FIX), result };
}

export async function checkCoreaudio(r: Partial<RigCheckReport> & { lines: CheckLine[] }, opts: { rigFile?: RigFile }): Promise<void> {
  let step = 'server';
  let capture: Capture | undefined;
  try {
    const sox = requireSox();
    const { answer, choice } = await chooseCoreaudioDevices(opts.rigFile);
    r.server = { name: 'CoreAudio', version: `macOS ${answer.macos}`, how: "the system's devices, through hilt-coreaudio and sox" };
    r.lines.push({
      id: 'server',
      status: 'ok',
      text:
        `CoreAudio (macOS ${answer.macos}): ${answer.devices.length} device(s); ` +
        `"${choice.output}" observed through "${choice.capture}" (${choice.how})`,
      required: true,
    });
    const listed = devicesLine(answer.devices);
    r.devices = listed.devices;
    r.lines.push(listed.line);
    const note = defaultOutputNote(choice);
    if (note) r.lines.push({ id: 'default-output', status: 'info', text: note, required: false });
    step = 'microphone';
    capture = Capture.start(choice.capture, {}, CHECK_TONE_HZ, soxIo(sox));
    const grant = await probeGrant(capture, choice, sox);
    r.lines.push(grantLine(grant, choice.capture));
    if (grant.grant === 'no-grant') return; // the loopback would only say the same again
    step = 'loopback';
    const { result, ...line } = await coreaudioLoopback(capture, choice, sox);
    r.loopback = result!;
    r.lines.push({ ...line, text: `${line.text} (${choice.how})` });
    step = 'taps';
    r.lines.push(tapsLine(await listTaps()));
    step = 'processes';
    r.lines.push(processesLine(await listProcesses()));
  } catch (e) {
    const line = errorLine(step, e);
    // Taps and processes are optional: their failure is said, never the rig's verdict.
    const optional = step === 'taps' || step === 'processes';
    r.lines.push(optional ? { ...line, required: false } : step === 'server' && !line.fix ? { ...line, fix: COREAUDIOD_RESTART } : line);
  } finally {
    await capture?.stop();
  }
}
