// hilt-wasapi.exe's real output, recorded under Wine 8 with winepulse on a virtual rig
// (recorded/: endpoints, sessions, a loopback capture's error), read by the pure parsers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseDevices } from './choose.ts';
import { helperProblem, parseEndpoints, parseSessions, sessionsErrorText, type Endpoint } from './parse.ts';
import { hasSessionOf, sessionObjects, sessionsUnsupported } from './sessions.ts';

const recorded = (f: string) => readFileSync(join(import.meta.dirname, 'recorded', f), 'utf8');
const wine = parseEndpoints(recorded('endpoints-wine8.jsonl'));

describe('hilt-wasapi endpoints (recorded under Wine 8)', () => {
  it('reads every endpoint, with its flow, default mark, state and mix format', () => {
    expect(wine.map((e) => `${e.flow} ${e.name}${e.default ? ' (default)' : ''}`)).toEqual([
      'render hilt-observed',
      'render PulseAudio (default)',
      'capture Monitor of hilt-observed',
      'capture PulseAudio (default)',
    ]);
    expect(wine[0]).toMatchObject({ state: 'active', id: '{0.0.0.00000000}.{C3C75D24-F18B-4E51-8CBE-20C3AEE9F68F}' });
    expect(wine[0]!.mix).toEqual({ rate: 48000, channels: 2, format: 'float32', bits: 32 });
  });
});

describe('chooseDevices', () => {
  it("Wine: the default ('PulseAudio') has no monitor, so the render endpoint that has one is observed", () => {
    const c = chooseDevices(wine);
    expect(c).toMatchObject({ ok: true, choice: { output: 'hilt-observed', capture: 'Monitor of hilt-observed', loopback: false } });
    expect(c.ok && c.choice.how).toMatch(/"PulseAudio" has no capture that hears it/);
  });

  it('a rig file names both, by name or id; an unknown name says which exist', () => {
    expect(chooseDevices(wine, { output: 'PulseAudio', capture: 'PulseAudio' })).toMatchObject({
      ok: true,
      choice: { output: 'PulseAudio', capture: 'PulseAudio', how: 'the rig file names both' },
    });
    expect(chooseDevices(wine, { output: 'Speakers' })).toEqual({
      ok: false,
      problem: 'no active render endpoint "Speakers" (active: "hilt-observed", "PulseAudio")',
    });
  });

  const ep = (flow: Endpoint['flow'], name: string, def = false): Endpoint => ({
    flow,
    id: name,
    name,
    default: def,
    state: 'active',
    mix: null,
  });
  it('the default with its monitor first; then VB-CABLE; then the loopback of the default', () => {
    const speakers = ep('render', 'Speakers', true);
    const cable = [ep('render', 'CABLE Input (VB-Audio Virtual Cable)'), ep('capture', 'CABLE Output (VB-Audio Virtual Cable)')];
    expect(chooseDevices([speakers, ep('capture', 'Monitor of Speakers')])).toMatchObject({ choice: { capture: 'Monitor of Speakers' } });
    expect(chooseDevices([speakers, ...cable])).toMatchObject({
      choice: { output: 'CABLE Input (VB-Audio Virtual Cable)', capture: 'CABLE Output (VB-Audio Virtual Cable)' },
    });
    expect(chooseDevices([speakers, ep('capture', 'Microphone', true)])).toMatchObject({
      choice: { output: 'Speakers', capture: 'Speakers', loopback: true },
    });
    expect(chooseDevices([ep('capture', 'Microphone', true)])).toEqual({
      ok: false,
      problem: 'no default render endpoint (active render endpoints: none)',
    });
  });
});

describe('hilt-wasapi sessions', () => {
  it('Wine 8: the call it lacks, said as unsupported, never as "no sessions"', () => {
    const s = parseSessions(recorded('sessions-wine8.jsonl'));
    expect(s).toEqual({
      ok: false,
      error: {
        endpointName: 'hilt-observed',
        call: 'IAudioSessionManager2::GetSessionEnumerator',
        hresult: '0x80004001',
        name: 'E_NOTIMPL',
      },
    });
    if (s.ok) return;
    expect(sessionsErrorText(s.error)).toBe('IAudioSessionManager2::GetSessionEnumerator answered 0x80004001 E_NOTIMPL');
    const e = sessionsUnsupported('whose audio stream is whose', s);
    expect(e.code).toBe('PLATFORM_UNSUPPORTED');
    expect(e.message.split('\n')[0]).toBe(
      'whose audio stream is whose on this Windows: IAudioSessionManager2::GetSessionEnumerator answered 0x80004001 E_NOTIMPL',
    );
  });

  // Windows' own answer has this shape (wasapi_sessions.cpp); not recorded: Wine has no sessions.
  it('sessions and per-endpoint counts; the system session and expired ones are not inventory', () => {
    const where = '"endpoint":"{e1}","endpointName":"Speakers"';
    const session = (pid: number, state: string, id: string, system = false, name = '') =>
      `{"kind":"session",${where},"pid":${pid},"state":"${state}","displayName":${JSON.stringify(name)},` +
      `"sessionId":"${id}","system":${system}}`;
    const text = [
      session(0, 'inactive', 's0', true, '@%SystemRoot%\\System32\\AudioSrv.Dll,-202'),
      session(4242, 'active', 's1'),
      session(77, 'expired', 's2'),
      `{"kind":"endpoint",${where},"sessions":3}`,
    ].join('\r\n');
    const s = parseSessions(text);
    expect(s.ok && s.endpoints).toEqual([{ name: 'Speakers', sessions: 3 }]);
    if (!s.ok) return;
    expect(hasSessionOf(s.sessions, [4242])).toBe(true);
    expect(hasSessionOf(s.sessions, [77])).toBe(false);
    const objects = sessionObjects(s.sessions).map((o) => [o.kind, o.name, o.ownerPid]);
    expect(objects).toEqual([['wasapi-session', 'pid 4242 on Speakers', 4242]]);
  });
});

it("the helper's error line is the problem said (recorded: loopback capture under Wine 8)", () => {
  expect(helperProblem(recorded('capture-loopback-wine8.stderr.txt'))).toBe(
    'hilt-wasapi: capture --loopback: IAudioClient::GetService(IAudioCaptureClient) failed: ' +
      'expected S_OK, seen 0x88890003 AUDCLNT_E_WRONG_ENDPOINT_TYPE',
  );
});
