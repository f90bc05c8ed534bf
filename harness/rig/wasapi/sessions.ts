// Pure: the WASAPI rig's answers from sessions. A session names its process and endpoint; where
// the system cannot enumerate them (Wine 8: GetSessionEnumerator is E_NOTIMPL) the answer is a
// PLATFORM_UNSUPPORTED error naming the call, never an empty list read as "nothing there".
import { HiltError } from '../../errors.ts';
import type { InventoryObject } from '../../inventory/objects.ts';
import { sessionsErrorText, type Session, type SessionsAnswer } from './parse.ts';

export function sessionsUnsupported(fact: string, answer: Extract<SessionsAnswer, { ok: false }>): HiltError {
  const said = sessionsErrorText(answer.error);
  return new HiltError('PLATFORM_UNSUPPORTED', `${fact} on this Windows: ${said}`, {
    expected: `IAudioSessionManager2 to enumerate the audio sessions of "${answer.error.endpointName}" with their process ids`,
    seen: said,
    hint: 'this system lacks audio session enumeration (Wine 8 does); run on Windows 10 or later for it',
  });
}

// Non-system sessions of live processes: a session with pid 0 is the system's own.
export const sessionObjects = (sessions: Session[]): InventoryObject[] =>
  sessions
    .filter((s) => !s.system && s.pid !== 0 && s.state !== 'expired')
    .map((s) => ({
      kind: 'wasapi-session',
      id: s.sessionId,
      name: `${s.displayName || `pid ${s.pid}`} on ${s.endpointName}`,
      ownerPid: s.pid,
      ownerAlive: undefined, // Windows' process facts are not hilt's yet (harness/platform/win32.ts)
      detail: `${s.state} session ${s.sessionId}`,
      key: `wasapi-session:${s.sessionId}`,
    }));

export const hasSessionOf = (sessions: Session[], pids: number[]): boolean =>
  sessions.some((s) => s.state === 'active' && pids.includes(s.pid));
