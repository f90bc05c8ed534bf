// Pure readers of hilt-coreaudio's answers (native/mac/hilt_coreaudio.c): one JSON document per
// subcommand, checked with zod so that a helper of another shape is said as such, never misread.
import { z } from 'zod';
import { HiltError } from '../../errors.ts';

// kAudioDevicePropertyTransportType as a word; a code the helper does not know comes as its four characters.
export const TRANSPORTS = [
  'builtin',
  'aggregate',
  'autoaggregate',
  'virtual',
  'pci',
  'usb',
  'firewire',
  'bluetooth',
  'bluetooth-le',
  'hdmi',
  'displayport',
  'airplay',
  'avb',
  'thunderbolt',
  'continuity-wired',
  'continuity-wireless',
  'unknown',
] as const;

const count = z.number().int().nonnegative();
const objectId = z.number().int().positive();

const deviceSchema = z.object({
  id: objectId,
  uid: z.string(),
  name: z.string(),
  transport: z.string().min(1),
  inputChannels: count.nullable(), // null: the stream configuration could not be read
  outputChannels: count.nullable(),
  defaultInput: z.boolean(),
  defaultOutput: z.boolean(),
  // Aggregates only: the sub-devices' UIDs (kAudioAggregateDevicePropertyFullSubDeviceList) and
  // whether it is private to its creator (the composition's "private" key; null: unreadable).
  aggregate: z.object({ private: z.boolean().nullable(), subDevices: z.array(z.string()) }).nullable(),
});

export const devicesSchema = z.object({ macos: z.string(), devices: z.array(deviceSchema) });

const tapSchema = z.object({
  id: objectId,
  uid: z.string(),
  // From its CATapDescription; null where the description could not be read (error says why).
  name: z.string().nullable(),
  processes: z.array(z.object({ object: objectId, pid: z.number().int().nullable() })),
  exclusive: z.boolean().nullable(), // true: every process but those listed is tapped
  mute: z.enum(['unmuted', 'muted', 'muted-when-tapped']).nullable(),
  private: z.boolean().nullable(),
  error: z.string().optional(),
});

const unsupported = z.object({ macos: z.string(), supported: z.literal(false), why: z.string() });

export const tapsSchema = z.discriminatedUnion('supported', [
  z.object({ macos: z.string(), supported: z.literal(true), taps: z.array(tapSchema) }),
  unsupported,
]);

const processSchema = z.object({
  object: objectId,
  pid: z.number().int(),
  bundleId: z.string().nullable(),
  running: z.boolean(),
  runningInput: z.boolean(),
  runningOutput: z.boolean(),
});

export const processesSchema = z.discriminatedUnion('supported', [
  z.object({ macos: z.string(), supported: z.literal(true), processes: z.array(processSchema) }),
  unsupported,
]);

// phantom: the create answered 'nope' and no listed device has the UID; listed: one has it (not
// probed); free: an aggregate was made with it and destroyed at once.
export const phantomSchema = z.discriminatedUnion('result', [
  z.object({ uid: z.string(), result: z.literal('phantom'), status: z.string() }),
  z.object({ uid: z.string(), result: z.literal('listed'), id: objectId }),
  z.object({ uid: z.string(), result: z.literal('free') }),
]);

export const destroyedSchema = z.object({ destroyed: z.enum(['aggregate', 'tap']), id: objectId, uid: z.string() });

export type Device = z.infer<typeof deviceSchema>;
export type DevicesAnswer = z.infer<typeof devicesSchema>;
export type Tap = z.infer<typeof tapSchema>;
export type TapsAnswer = z.infer<typeof tapsSchema>;
export type AudioProcess = z.infer<typeof processSchema>;
export type ProcessesAnswer = z.infer<typeof processesSchema>;
export type PhantomAnswer = z.infer<typeof phantomSchema>;
export type Destroyed = z.infer<typeof destroyedSchema>;

// One reader for every subcommand: not JSON, or JSON of another shape, is TOOL_FAILED naming the field.
function reader<T>(what: string, schema: z.ZodType<T>): (text: string) => T {
  return (text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw helperShape(what, `not JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw helperShape(what, issues.join('; '));
  };
}

const helperShape = (what: string, seen: string): HiltError =>
  new HiltError('TOOL_FAILED', `hilt-coreaudio ${what} answered in a shape hilt does not read`, {
    expected: `the JSON of native/mac/hilt_coreaudio.c's ${what}`,
    seen,
    hint: 'rebuild the helper from this checkout: cmake -S native/mac -B native/build-mac && cmake --build native/build-mac',
  });

export const parseDevices = reader('devices', devicesSchema);
export const parseTaps = reader('taps', tapsSchema);
export const parseProcesses = reader('processes', processesSchema);
export const parsePhantom = reader('phantom-probe', phantomSchema);
export const parseDestroyed = reader('destroy', destroyedSchema);

// The helper's error line ("hilt-coreaudio: <call> failed: OSStatus 'nope' (1852797029)"), or its last line.
export function helperProblem(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.reverse().find((l) => l.startsWith('hilt-coreaudio: ')) ?? lines.find(Boolean) ?? '(it said nothing)';
}

// The helper's exit codes (hilt_coreaudio.c).
export const COREAUDIO_EXIT = { ok: 0, error: 1, usage: 2, notFound: 3 } as const;
