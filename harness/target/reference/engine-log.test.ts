import { describe, expect, it } from 'vitest';
import { cleanupLayer, parseEngineLog } from './engine-log.ts';

// Lines as the engine and its guardian print them (recorded from real runs on the virtual rig).
const crashed = `hilt-engine[23757] +5.5ms crashguard: installed for SIGSEGV SIGABRT SIGBUS SIGTRAP SIGILL SIGFPE (64 slots)
hilt-engine[23757] +9.5ms guardian: started pid 23760
hilt-engine[23757] +23.2ms tap: created hilt-engine-23757 (module 536870915)
hilt-engine[23757] +43.8ms ready taps=hilt-engine-23757 output=hilt-observed guardian=23760
hilt-engine[23757] +90.1ms tap: created hilt-engine-23757-secondary (module 536870914)
hilt-engine[23757] +300.1ms tap: destroyed hilt-engine-23757-secondary (module 536870914)
hilt-engine[23757] +300.1ms crashguard: caught SIGSEGV on thread 'hilt-engine': destroying 2 tracked object(s)
hilt-engine[23757] +302.1ms crashguard: module 536870915 destroyed
hilt-engine[23757] +301.7ms crashguard: module 536870914 NOT destroyed: no such entity (error 5)
hilt-engine[23757] +302.1ms crashguard: destroyed 1 of 2 in 2.0ms; re-raising SIGSEGV
hilt-engine[23757] +302.1ms crashguard: backtrace (9 frames):
/work/main/native/build/Release/hilt-engine(+0xfcdf)[0x563f3354ccdf]
hilt-guardian[23760] +298.9ms engine pid 23757 died with nothing tracked: nothing to destroy`;

const killed = `hilt-engine[23829] +12.2ms sweep: destroyed orphan hilt-engine-23811 (module 536870915, creator pid 23811 is dead)
hilt-engine[23829] +15.4ms tap: created hilt-engine-23829 (module 536870916)
hilt-guardian[23835] +54.6ms engine pid 23829 died (gone): destroying 1 tracked object(s)
hilt-guardian[23835] +56.3ms module 536870916 destroyed
hilt-guardian[23835] +56.3ms destroyed 1 of 1 in 1.900ms after the engine's death`;

const stopped = `hilt-engine[23302] +23.2ms tap: created hilt-engine-23302-a (module 536870914)
hilt-engine[23302] +993.5ms stop requested (signal SIGTERM)
hilt-engine[23302] +1025.7ms tap: destroyed hilt-engine-23302-a (module 536870914)
hilt-engine[23302] +1049.1ms exit 0`;

// A pipewire-pulse restart, then the whole stack, then one that outlasted the retries (hand runs on a private rig).
const restarted = `hilt-engine[10681] +16.5ms ready taps=hilt-engine-10681 output=hilt-observed guardian=10686
hilt-engine[10681] +3829.6ms server: connection lost (Connection terminated); reconnecting
hilt-engine[10681] +4153.7ms crashguard: installed for SIGSEGV SIGABRT SIGBUS SIGTRAP SIGILL SIGFPE (64 slots)
hilt-engine[10681] +4157.6ms guardian: started pid 10858 in a session of its own
hilt-engine[10681] +4157.6ms guardian: restarted pid=10858 (was pid 10686)
hilt-engine[10681] +4159.6ms tap: created hilt-engine-10681 (module 536870913)
hilt-engine[10681] +4171.7ms server: reconnected after 342 ms; taps re-created: hilt-engine-10681`;

const twoTaps = `hilt-engine[13192] +1545.5ms server: connection lost (Connection terminated); reconnecting
hilt-engine[13192] +2003.7ms server: reconnected after 460 ms; taps re-created: hilt-engine-13192-hilt-victim,hilt-engine-13192-other`;

const gaveUp = `hilt-engine[12634] +1010.9ms server: connection lost (Connection terminated); reconnecting
hilt-engine[12634] +11059.7ms server: reconnect failed after 10048 ms: cannot connect to the audio server: Connection refused`;

const noReconnect =
  'hilt-engine[12255] +2011.1ms server: connection lost (Connection terminated); not reconnecting (bug switch no-reconnect)';

// kill9 --set first=guardian: the guardian SIGKILLed, the engine starts a new one that cleans after the engine's SIGKILL.
const guardianReplaced = `hilt-engine[12988] +8.7ms guardian: started pid 12996 in a session of its own
hilt-engine[12988] +11.2ms tap: created hilt-engine-12988 (module 536870913)
hilt-engine[12988] +48.1ms ready taps=hilt-engine-12988 output=hilt-observed guardian=12996
hilt-engine[12988] +217.3ms guardian: pid 12996 died (signal SIGKILL); started pid 13000, tracking 1 object(s) in 8.6 ms
hilt-guardian[13000] +10.1ms engine pid 12988 died (gone): destroying 1 tracked object(s)
hilt-guardian[13000] +23.4ms module 536870913 destroyed
hilt-guardian[13000] +23.5ms destroyed 1 of 1 in 13.8ms after the engine's death`;

// The same when no new guardian could be started (its binary removed during the run).
const guardianGone =
  'hilt-engine[28994] +170.7ms guardian: pid 29000 died (signal SIGKILL); running without a guardian: ' +
  'cannot start the guardian /tmp/wt-guardian/native/build/nog/hilt-guardian: No such file or directory';

describe('parseEngineLog', () => {
  it("reads the guardian's death seen by the engine, its replacement, and who cleaned after the engine's death", () => {
    const log = parseEngineLog(guardianReplaced);
    expect(log.guardianDeath).toEqual({ pid: 12996, how: 'signal SIGKILL', started: { pid: 13000, tracking: 1, ms: 8.6 } });
    expect(log.guardianPid).toBe(13000);
    expect(log.guardian).toMatchObject({ enginePid: 12988, by: 13000, tracked: 1, destroyed: 1, ms: 13.8 });
    expect(cleanupLayer(log)).toBe('guardian');
    expect(parseEngineLog(guardianReplaced.split('\n').slice(0, 3).join('\n')).guardianPid).toBe(12996);
  });

  it('reads an engine left without a guardian, and says why', () => {
    const log = parseEngineLog(guardianGone);
    expect(log.guardianDeath).toEqual({
      pid: 29000,
      how: 'signal SIGKILL',
      without: 'cannot start the guardian /tmp/wt-guardian/native/build/nog/hilt-guardian: No such file or directory',
    });
    expect(log.guardianPid).toBeUndefined();
    // Not reapable in time: no cause in parentheses.
    const noCause = guardianGone.replace(' (signal SIGKILL)', '');
    expect(parseEngineLog(noCause).guardianDeath).toEqual({ pid: 29000, without: expect.stringMatching(/^cannot start/) });
  });

  it('reads the crash guard report, its failures and its timing', () => {
    const log = parseEngineLog(crashed);
    expect(log.pid).toBe(23757);
    expect(log.created.map((c) => c.module)).toEqual([536870915, 536870914]);
    expect(log.crashGuard).toEqual({
      signal: 'SIGSEGV',
      thread: 'hilt-engine',
      tracked: 2,
      destroyed: 1,
      failures: [{ module: 536870914, reason: 'no such entity (error 5)' }],
      ms: 2,
    });
    expect(log.guardian).toMatchObject({ enginePid: 23757, tracked: 0, destroyed: 0 });
    expect(cleanupLayer(log)).toBe('crash-guard');
  });

  it('reads the guardian report and the sweep', () => {
    const log = parseEngineLog(killed);
    expect(log.swept).toEqual([{ name: 'hilt-engine-23811', module: 536870915, creatorPid: 23811 }]);
    expect(log.guardian).toEqual({ enginePid: 23829, by: 23835, tracked: 1, destroyed: 1, failures: [], ms: 1.9 });
    expect(log.crashGuard).toBeUndefined();
    expect(cleanupLayer(log)).toBe('guardian');
  });

  it('sees a clean stop by signal', () => {
    const log = parseEngineLog(stopped);
    expect(log.stopRequested).toBe('signal SIGTERM');
    expect(log.destroyed).toEqual([{ name: 'hilt-engine-23302-a', module: 536870914 }]);
    expect(cleanupLayer(log)).toBe('clean-stop');
  });

  it('says none when nobody destroyed anything, and ignores foreign lines', () => {
    const log = parseEngineLog('hello\nhilt-engine[1] +1.0ms tap: created hilt-engine-1 (module 7)\nsomething else');
    expect(log.created).toHaveLength(1);
    expect(cleanupLayer(log)).toBe('none');
  });

  it('reads a reconnect after a server restart: how long it took and the taps made again', () => {
    const log = parseEngineLog(restarted);
    expect(log.serverLost).toEqual({ reconnecting: true, reason: 'Connection terminated' });
    expect(log.reconnected).toEqual({ ms: 342, taps: ['hilt-engine-10681'] });
    expect(log.reconnectFailed).toBeUndefined();
    expect(log.created).toEqual([{ name: 'hilt-engine-10681', module: 536870913 }]);
    expect(parseEngineLog(twoTaps).reconnected?.taps).toEqual(['hilt-engine-13192-hilt-victim', 'hilt-engine-13192-other']);
  });

  it('reads a reconnect that gave up, and the bug switch that never tries', () => {
    const failed = parseEngineLog(gaveUp);
    expect(failed.serverLost).toEqual({ reconnecting: true, reason: 'Connection terminated' });
    expect(failed.reconnected).toBeUndefined();
    expect(failed.reconnectFailed).toBe('cannot connect to the audio server: Connection refused');
    const bug = parseEngineLog(noReconnect);
    expect(bug.serverLost).toEqual({ reconnecting: false, reason: 'Connection terminated' });
    expect(bug.reconnected).toBeUndefined();
    expect(bug.reconnectFailed).toBeUndefined();
  });

  it('describes the last loss: a later one clears how the earlier one ended', () => {
    const log = parseEngineLog(`${restarted}\n${gaveUp}`);
    expect(log.reconnected).toBeUndefined();
    expect(log.reconnectFailed).toMatch(/Connection refused$/);
    const again = parseEngineLog(`${gaveUp}\n${twoTaps}`);
    expect(again.reconnected?.ms).toBe(460);
    expect(again.reconnectFailed).toBeUndefined();
  });
});
