// Pure readers of hilt-wasapi.exe's output (native/src/win/wasapi_main.cpp): its endpoints and
// sessions, one JSON object a line (Windows line ends: \r\n), and its one-line errors.

export interface MixFormat {
  rate: number;
  channels: number;
  format: 'float32' | 'int16' | 'other';
  bits: number;
}

export interface Endpoint {
  flow: 'render' | 'capture';
  id: string;
  name: string; // the friendly name ("Speakers (Realtek(R) Audio)", Wine: the Pulse sink's description)
  default: boolean; // the default for eConsole
  state: 'active' | 'disabled' | 'notpresent' | 'unplugged' | 'unknown';
  mix: MixFormat | { error: string } | null; // null: not active, so not asked
}

export interface Session {
  endpoint: string;
  endpointName: string;
  pid: number;
  state: 'active' | 'inactive' | 'expired' | 'unknown';
  displayName: string;
  sessionId: string;
  system: boolean; // the system sounds session
}

// The call the system lacks (or that failed), as the helper said it.
export interface SessionsError {
  endpointName: string;
  call: string; // "IAudioSessionManager2::GetSessionEnumerator"
  hresult: string; // "0x80004001"
  name: string; // "E_NOTIMPL", "" when the helper does not know it
}

export type SessionsAnswer =
  { ok: true; sessions: Session[]; endpoints: { name: string; sessions: number }[] } | { ok: false; error: SessionsError };

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export const parseEndpoints = (text: string): Endpoint[] => jsonLines(text) as unknown as Endpoint[];

export function parseSessions(text: string): SessionsAnswer {
  const lines = jsonLines(text);
  const error = lines.find((l) => l.kind === 'error');
  if (error) {
    const { endpointName, call, hresult, name } = error as unknown as SessionsError;
    return { ok: false, error: { endpointName, call, hresult, name } };
  }
  return {
    ok: true,
    sessions: lines.filter((l) => l.kind === 'session').map(({ kind: _, ...s }) => s as unknown as Session),
    endpoints: lines.filter((l) => l.kind === 'endpoint').map((l) => ({ name: String(l.endpointName), sessions: Number(l.sessions) })),
  };
}

// "IAudioSessionManager2::GetSessionEnumerator answered 0x80004001 E_NOTIMPL"
export const sessionsErrorText = (e: SessionsError): string => `${e.call} answered ${e.hresult}${e.name ? ` ${e.name}` : ''}`;

// The helper's error line ("hilt-wasapi: <what>: expected <e>, seen <s>"), or its last line.
export function helperProblem(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.reverse().find((l) => l.startsWith('hilt-wasapi: ')) ?? lines.find(Boolean) ?? '(it said nothing)';
}

// The helper's exit codes (wasapi_common.h).
export const WASAPI_EXIT = { ok: 0, usage: 2, noEndpoint: 3, notImplemented: 4, callFailed: 5, format: 6, io: 7 } as const;
