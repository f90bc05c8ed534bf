// `rig check` on Windows (the WASAPI rig): the audio service (endpoints enumerable), every endpoint,
// a tone out through the render endpoint the rig would observe and back through its capture
// (level and latency, measured as on Linux), and the audio sessions (who plays; optional).
import { release } from 'node:os';
import { Capture } from '../../audio/capture.ts';
import { ToneSource } from '../../audio/tone-source.ts';
import type { RigFile } from '../rig-file.ts';
import { chooseWasapiDevices, listSessions, NO_ENDPOINTS_FIX } from '../wasapi-rig.ts';
import type { DeviceChoice } from '../wasapi/choose.ts';
import { wasapiIo } from '../wasapi/helper.ts';
import { sessionsErrorText, type Endpoint } from '../wasapi/parse.ts';
import type { CheckLine, Device, RigCheckReport } from './facts.ts';
import { errorLine, loopbackLine } from './lines.ts';
import { CHECK_APP, CHECK_TONE_AMPLITUDE, CHECK_TONE_HZ, measureLoopback } from './loopback.ts';

// hilt-wasapi's play and capture are Windows processes: under Wine each takes up to a second to start.
const LOOPBACK_DEADLINE_MS = 5000;
const LOOPBACK_FIX =
  'name an output and a capture that hears it in a rig file (--rig-config), or install VB-CABLE (https://vb-audio.com/Cable/)';

const mixText = (e: Endpoint): string =>
  !e.mix ? e.state : 'error' in e.mix ? `mix format unreadable: ${e.mix.error}` : `${e.mix.format}/${e.mix.channels}ch/${e.mix.rate}Hz`;

// Pure: the endpoints as the report's devices (a "Monitor of X" capture is X's monitor) and a line.
export function endpointsLine(endpoints: Endpoint[]): { devices: { sinks: Device[]; sources: Device[] }; line: CheckLine } {
  const device = (e: Endpoint): Device => {
    const monitorOf = e.flow === 'capture' ? /^Monitor of (.+)$/.exec(e.name)?.[1] : undefined;
    return { name: e.name, description: e.id, ...(monitorOf ? { monitorOf } : {}) };
  };
  const said = (flow: Endpoint['flow']) =>
    endpoints
      .filter((e) => e.flow === flow)
      .map((e) => `"${e.name}" (${[e.default && 'default', mixText(e)].filter(Boolean).join(', ')})`)
      .join(', ') || 'none';
  return {
    devices: {
      sinks: endpoints.filter((e) => e.flow === 'render').map(device),
      sources: endpoints.filter((e) => e.flow === 'capture').map(device),
    },
    line: { id: 'devices', status: 'info', text: `render: ${said('render')}; capture: ${said('capture')}`, required: false },
  };
}

async function wasapiLoopback(choice: DeviceChoice): Promise<CheckLine & { result: RigCheckReport['loopback'] }> {
  const capture = Capture.start(choice.capture, {}, CHECK_TONE_HZ, wasapiIo({ loopback: choice.loopback }));
  try {
    const where = { output: choice.output, capture: choice.loopback ? `the loopback of ${choice.output}` : choice.capture };
    const result = await measureLoopback(
      capture,
      () => new ToneSource(CHECK_APP, choice.output, {}, CHECK_TONE_HZ, CHECK_TONE_AMPLITUDE, wasapiIo()),
      where,
      LOOPBACK_DEADLINE_MS,
    );
    // A recorder that exited (hilt-wasapi capture failed) is the reason: its error line says which call.
    if (!result.ok) {
      try {
        capture.assertRunning();
      } catch (e) {
        result.problem = `${result.problem}; ${(e as Error).message}: ${(e as { seen?: string }).seen ?? ''}`;
      }
    }
    return { ...loopbackLine(result, LOOPBACK_FIX), result };
  } finally {
    await capture.stop();
  }
}

async function sessionsLine(): Promise<CheckLine> {
  const s = await listSessions();
  if (!s.ok) {
    return {
      id: 'sessions',
      status: 'missing',
      text:
        `audio sessions (which process plays): ${sessionsErrorText(s.error)}; ` +
        'readiness by "stream" and the inventory are unavailable here',
      fix: 'Windows 10 or later has IAudioSessionManager2 (this system, e.g. Wine 8, lacks it)',
      required: false,
    };
  }
  const per = s.endpoints.map((e) => `${e.name}: ${e.sessions}`).join(', ') || 'no active render endpoint';
  return { id: 'sessions', status: 'ok', text: `audio sessions enumerable (IAudioSessionManager2): ${per}`, required: false };
}

export async function checkWasapi(r: Partial<RigCheckReport> & { lines: CheckLine[] }, opts: { rigFile?: RigFile }): Promise<void> {
  let step = 'server';
  try {
    const { endpoints, choice } = await chooseWasapiDevices(opts.rigFile);
    r.server = { name: 'WASAPI', version: release(), how: 'the Windows audio service, through hilt-wasapi.exe' };
    const active = endpoints.filter((e) => e.state === 'active');
    r.lines.push({
      id: 'server',
      status: 'ok',
      text: `WASAPI (Windows ${release()}): ${endpoints.length} endpoint(s), ${active.length} active; never changed by hilt`,
      required: true,
    });
    const listed = endpointsLine(endpoints);
    r.devices = listed.devices;
    r.lines.push(listed.line);
    step = 'loopback';
    const { result, ...line } = await wasapiLoopback(choice);
    r.loopback = result!;
    r.lines.push({ ...line, text: `${line.text} (${choice.how})` });
    step = 'sessions';
    r.lines.push(await sessionsLine());
  } catch (e) {
    const line = errorLine(step, e);
    r.lines.push(step === 'server' && !line.fix ? { ...line, fix: NO_ENDPOINTS_FIX } : line);
  }
}
