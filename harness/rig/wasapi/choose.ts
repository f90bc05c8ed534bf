// Pure: which render endpoint the WASAPI rig plays into and which capture endpoint hears it.
// Where both are not given (a rig file), in order: the default render endpoint and its monitor
// ("Monitor of <name>": Pulse's sources under Wine); VB-CABLE's pair; another render endpoint
// that has a monitor (Wine's default is "PulseAudio", the server's default sink, not the sink's
// own name); else the default render endpoint's loopback.
import type { Endpoint } from './parse.ts';

export interface DeviceChoice {
  output: string; // a render endpoint's friendly name
  capture: string; // a capture endpoint's friendly name, or the output itself with loopback
  loopback: boolean;
  how: string; // why these, for the report
}

export type Choice = { ok: true; choice: DeviceChoice } | { ok: false; problem: string };

export const monitorName = (render: string): string => `Monitor of ${render}`;
const isCableInput = (name: string): boolean => /^CABLE Input\b/.test(name);
const isCableOutput = (name: string): boolean => /^CABLE Output\b/.test(name);

export function chooseDevices(endpoints: Endpoint[], given: { output?: string; capture?: string } = {}): Choice {
  const active = endpoints.filter((e) => e.state === 'active');
  const renders = active.filter((e) => e.flow === 'render');
  const captures = active.filter((e) => e.flow === 'capture');
  const known = (list: Endpoint[], name: string) => list.some((e) => e.name === name || e.id === name);
  const listed = (list: Endpoint[]) => list.map((e) => `"${e.name}"`).join(', ') || 'none';
  if (given.output !== undefined && !known(renders, given.output)) {
    return { ok: false, problem: `no active render endpoint "${given.output}" (active: ${listed(renders)})` };
  }
  if (given.capture !== undefined && !known(captures, given.capture)) {
    return { ok: false, problem: `no active capture endpoint "${given.capture}" (active: ${listed(captures)})` };
  }
  const def = renders.find((e) => e.default);
  const output = given.output ?? def?.name;
  if (output === undefined) return { ok: false, problem: `no default render endpoint (active render endpoints: ${listed(renders)})` };
  const chosen = (capture: string, how: string, loopback = false): Choice => ({ ok: true, choice: { output, capture, loopback, how } });
  if (given.capture !== undefined) return chosen(given.capture, 'the rig file names both');
  const what = given.output !== undefined ? 'the rig file' : 'the default';
  if (known(captures, monitorName(output))) return chosen(monitorName(output), `${what} render endpoint and its monitor`);
  const cableOut = captures.find((e) => isCableOutput(e.name));
  if (isCableInput(output) && cableOut) return chosen(cableOut.name, `${what} render endpoint is VB-CABLE's input`);
  if (given.output === undefined) {
    const cableIn = renders.find((e) => isCableInput(e.name));
    if (cableIn && cableOut) {
      return {
        ok: true,
        choice: { output: cableIn.name, capture: cableOut.name, loopback: false, how: 'VB-CABLE (the default has no monitor)' },
      };
    }
    const heard = renders.find((e) => known(captures, monitorName(e.name)));
    if (heard) {
      const how = `the default render endpoint "${output}" has no capture that hears it; "${heard.name}" has its monitor`;
      return { ok: true, choice: { output: heard.name, capture: monitorName(heard.name), loopback: false, how } };
    }
  }
  return chosen(output, `the loopback of ${what} render endpoint (no monitor and no VB-CABLE)`, true);
}
