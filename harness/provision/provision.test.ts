// pnpm provision: the steps of each OS as data, the dry run printed by the real script for all three,
// its usage errors (exit 2, nothing run), and the runner's already/skipped/done/failed on bash here.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../root.ts';
import { parseProvisionArgs } from './args.ts';
import { aptPackages, runStep } from './run.ts';
import { stepsFor, tccColumns, tccRow, type Step } from './steps.ts';

const CLI = join(ROOT, 'harness/provision/cli.ts');

async function provisionCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const step = (steps: Step[], name: string): Step => {
  const s = steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in ${steps.map((x) => x.name).join(', ')}`);
  return s;
};

describe('darwin steps', () => {
  const clients = [
    { client: 'com.apple.Terminal', type: 0 as const },
    { client: '/opt/homebrew/bin/node', type: 1 as const },
  ];
  const steps = stepsFor('darwin', { macosMajor: 14, tccClients: clients });

  it('installs BlackHole 2ch, SwitchAudioSource and sox by Homebrew, each checked first', () => {
    const bh = step(steps, 'blackhole-2ch');
    expect(bh.check).toBe('brew list --cask blackhole-2ch >/dev/null 2>&1');
    expect(bh.run).toEqual(['NONINTERACTIVE=1 HOMEBREW_NO_AUTO_UPDATE=1 brew install --cask blackhole-2ch']);
    expect(bh.after).toBe('homebrew');
    expect(step(steps, 'switchaudio-osx').run[0]).toMatch(/brew install --formula switchaudio-osx$/);
    expect(step(steps, 'sox').check).toBe('brew list --formula sox >/dev/null 2>&1');
    expect(steps.map((s) => s.name).slice(0, 4)).toEqual(['homebrew', 'blackhole-2ch', 'switchaudio-osx', 'sox']);
  });

  it('selects BlackHole 2ch as the default output and input, unless it already is', () => {
    for (const t of ['output', 'input']) {
      const s = step(steps, `default ${t}: BlackHole 2ch`);
      expect(s.check).toBe(`[ "$(SwitchAudioSource -c -t ${t})" = "BlackHole 2ch" ]`);
      expect(s.run).toEqual([`SwitchAudioSource -s "BlackHole 2ch" -t ${t}`]);
      expect(s.fix).toContain('launchctl kickstart -kp system/com.apple.audio.coreaudiod');
    }
  });

  it('writes the microphone grant with 17 columns on macOS 14 and 13 before, into a table of that width only', () => {
    expect([tccColumns(10), tccColumns(11), tccColumns(13), tccColumns(14), tccColumns(15)]).toEqual([undefined, 13, 13, 17, 17]);
    const now = "CAST(strftime('%s','now') AS INTEGER)";
    expect(tccRow(clients[0]!, 13)).toBe(
      "INSERT OR REPLACE INTO access VALUES ('kTCCServiceMicrophone', 'com.apple.Terminal', 0, 2, 3, 1, NULL, NULL, 0, " +
        `'UNUSED', NULL, 0, ${now});`,
    );
    expect(tccRow(clients[1]!, 17)).toBe(
      "INSERT OR REPLACE INTO access VALUES ('kTCCServiceMicrophone', '/opt/homebrew/bin/node', 1, 2, 3, 1, NULL, NULL, 0, " +
        `'UNUSED', NULL, 0, ${now}, NULL, NULL, 'UNUSED', 0);`,
    );
    const grant = step(steps, 'microphone grant (/opt/homebrew/bin/node)');
    expect(grant.check).toContain('"$HOME/Library/Application Support/com.apple.TCC/TCC.db"');
    expect(grant.check).toContain("service='kTCCServiceMicrophone' AND client='/opt/homebrew/bin/node'");
    expect(grant.run[0]).toContain(`[ "$cols" = 17 ]`);
    expect(grant.run[0]).toContain("NULL, 0, CAST(strftime('%s','now') AS INTEGER), NULL, NULL, 'UNUSED', 0);");
    const older = step(stepsFor('darwin', { macosMajor: 13, tccClients: clients }), 'microphone grant (com.apple.Terminal)');
    expect(older.run[0]).toContain(`[ "$cols" = 13 ]`);
    expect(older.run[0]).toContain("0, CAST(strftime('%s','now') AS INTEGER));");
    // Older than 11: another table; by hand, and said so.
    expect(step(stepsFor('darwin', { macosMajor: 10, tccClients: clients }), 'microphone grant (com.apple.Terminal)').run).toEqual([]);
  });

  it('quotes a client path for bash and SQL', () => {
    const s = step(
      stepsFor('darwin', { macosMajor: 14, tccClients: [{ client: "/Users/o'brien/$x/node", type: 1 }] }),
      "microphone grant (/Users/o'brien/$x/node)",
    );
    expect(s.check).toContain("client='/Users/o''brien/\\$x/node'");
    expect(s.run[0]).toContain("'/Users/o''brien/\\$x/node', 1,");
  });

  it('checks lldb by xcode-select -p and says how to install it, optional', () => {
    const lldb = step(steps, 'lldb');
    expect(lldb).toMatchObject({ check: 'xcode-select -p >/dev/null 2>&1', run: [], optional: true });
    expect(lldb.fix).toContain('xcode-select --install');
  });
});

describe('win32 steps', () => {
  const steps = stepsFor('win32', {});

  it('sets the audio service to automatic and starts it', () => {
    const a = step(steps, 'audio service');
    expect(a.check).toContain("$s = Get-Service Audiosrv; if ($s.Status -eq 'Running' -and $s.StartType -eq 'Automatic')");
    expect(a.run[0]).toContain('Set-Service Audiosrv -StartupType Automatic');
    expect(a.run[0]).toContain('Start-Service AudioEndpointBuilder, Audiosrv');
  });

  it("installs Scream by ci.yml's former recipe (its signer trusted, devcon), after the audio service", () => {
    const s = step(steps, 'Scream (virtual audio device)');
    expect(s.after).toBe('audio service');
    expect(s.check).toContain("Get-CimInstance Win32_SoundDevice | Where-Object Name -like '*Scream*'");
    for (const part of [
      'https://github.com/duncanthrax/scream/releases/download/3.6/Scream3.6.zip',
      'Get-AuthenticodeSignature "$dir\\Install\\driver\\Scream.sys"',
      "X509Store]::new('TrustedPublisher', 'LocalMachine')",
      '& "$dir\\Install\\helpers\\devcon.exe" install Scream.inf "*Scream"',
      'exit $LASTEXITCODE',
    ])
      expect(s.run[0]).toContain(part);
  });

  it('finds cdb on PATH, else installs the Debugging Tools where it can and puts cdb on PATH, optional', () => {
    const c = step(steps, 'cdb');
    expect(c.optional).toBe(true);
    expect(c.check).toContain('Get-Command cdb');
    expect(c.run[0]).toContain('Windows Kits\\10\\Debuggers\\x64');
    expect(c.run[0]).toContain('choco install -y --no-progress windbg');
    expect(c.run[0]).toContain('winget install --id Microsoft.WinDbg');
    expect(c.run[0]).toContain('Add-Content $env:GITHUB_PATH $dir');
  });
});

describe('linux steps', () => {
  it('installs the Debian packages of harness/setup/apt-packages.txt, with sudo unless root', () => {
    const pkgs = step(stepsFor('linux', { aptPackages: ['sox', 'gdb'], root: false }), 'Debian packages');
    expect(pkgs.check).toBe(
      "for p in sox gdb; do dpkg-query -W -f='${Status}' \"$p\" 2>/dev/null | grep -q 'install ok installed' || exit 1; done",
    );
    expect(pkgs.run).toEqual([
      'sudo apt-get update -qq',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sox gdb',
    ]);
    expect(step(stepsFor('linux', { aptPackages: ['sox'], root: true }), 'Debian packages').run[0]).toBe('apt-get update -qq');
  });

  it('loads snd-aloop, snd-seq and snd-virmidi only where the kernel has them', () => {
    const steps = stepsFor('linux', { aptPackages: [], root: true });
    expect(steps.map((s) => s.name)).toEqual(['Debian packages', 'snd-aloop', 'snd-seq', 'snd-virmidi']);
    const aloop = step(steps, 'snd-aloop');
    expect(aloop.when?.check).toContain('modinfo snd-aloop');
    expect(aloop.when?.check).toContain('find "/lib/modules/$(uname -r)" -name \'snd-aloop.ko*\'');
    expect(aloop.when?.unless).toBe('this kernel has no snd-aloop');
    expect(aloop.check).toBe('[ -d /sys/module/snd_aloop ]');
    expect(aloop.run).toEqual(['modprobe snd-aloop']);
    expect(step(stepsFor('linux', { aptPackages: [], root: false }), 'snd-seq').run).toEqual(['sudo modprobe snd-seq']);
  });

  it("reads the same package list as setup.sh's bash does", () => {
    const fromBash = execFileSync(
      'bash',
      [
        '-c',
        `mapfile -t A < <(sed 's/#.*//' harness/setup/apt-packages.txt | tr -s ' \\t' '\\n' | sed '/^$/d'); printf '%s\\n' "\${A[@]}"`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(aptPackages()).toEqual(fromBash.trim().split('\n'));
    expect(aptPackages()).toEqual(expect.arrayContaining(['pipewire', 'sox', 'gdb', 'wine']));
    expect(aptPackages('# only a comment\n a b # c\n\nd')).toEqual(['a', 'b', 'd']);
  });
});

describe.concurrent('pnpm provision --dry-run (the real script)', () => {
  it('prints the darwin steps in order: BlackHole by brew, the TCC grant of 17 columns, lldb', async () => {
    const r = await provisionCli('--dry-run', '--os', 'darwin');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^pnpm provision --dry-run --os darwin: the steps in order; nothing is run\nfacts: assumed for a dry run: macOS 14/,
    );
    expect(r.stdout).toContain('2. blackhole-2ch: ');
    expect(r.stdout).toContain('   check:   brew list --cask blackhole-2ch >/dev/null 2>&1   (exit 0: already)');
    expect(r.stdout).toContain('   run:     NONINTERACTIVE=1 HOMEBREW_NO_AUTO_UPDATE=1 brew install --cask blackhole-2ch');
    expect(r.stdout).toContain('microphone grant (com.apple.Terminal): ');
    expect(r.stdout).toContain(
      "'com.apple.Terminal', 0, 2, 3, 1, NULL, NULL, 0, 'UNUSED', NULL, 0, " +
        "CAST(strftime('%s','now') AS INTEGER), NULL, NULL, 'UNUSED', 0);",
    );
    expect(r.stdout).toMatch(/\d\. lldb \(optional\): .*\n {3}check: {3}xcode-select -p/);
    expect(r.stderr).toBe('');
  });

  it('prints the win32 steps: the audio service, then Scream, then cdb', async () => {
    const r = await provisionCli('--os', 'win32', '--dry-run');
    expect(r.code).toBe(0);
    const names = [...r.stdout.matchAll(/^\d+\. ([^:]+):/gm)].map((m) => m[1]);
    expect(names).toEqual(['audio service', 'Scream (virtual audio device)', 'cdb (optional)']);
    expect(r.stdout).toContain('Set-Service Audiosrv -StartupType Automatic');
    expect(r.stdout).toContain('   after:   audio service');
    expect(r.stdout).toContain('devcon.exe" install Scream.inf "*Scream"');
  });

  it('prints the linux steps: the packages of apt-packages.txt, then each module with its kernel check', async () => {
    const r = await provisionCli('--dry-run', '--os=linux');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('apt-get install -y -qq --no-install-recommends pipewire pipewire-bin');
    expect(r.stdout).toMatch(/2\. snd-aloop: .*\n {3}only if: modinfo snd-aloop .*\(else skipped: this kernel has no snd-aloop\)\n/);
    expect(r.stdout).toContain('   check:   [ -d /sys/module/snd_aloop ]   (exit 0: already)');
    expect(r.stdout).toMatch(/modprobe snd-aloop\n/);
    expect(r.stdout).toContain('4. snd-virmidi: ');
  });
});

describe.concurrent('pnpm provision: a bad command line is exit 2 and runs nothing', () => {
  it.each([
    [['--dryrun'], 'Unknown option', 'did you mean --dry-run?'],
    [['--dry-run', '--os', 'macos'], 'unknown OS "macos"', 'did you mean --os darwin?'],
    [['--dry-run', '--os', 'beos'], 'unknown OS "beos"', 'use one of the three'],
    [['--dry-run', 'darwin'], 'Unexpected argument', 'usage: pnpm provision'],
    [['--dry-run', '--os'], "'--os <value>' argument missing", 'usage: pnpm provision'],
  ])('%j', async (args, summary, hint) => {
    const r = await provisionCli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(summary);
    expect(r.stderr).toMatch(/\n {2}expected: .+\n {2}seen: {5}.+\n {2}to fix: {3}.+/);
    expect(r.stderr).toContain(hint);
  });

  it('refuses to provision another OS than this one without --dry-run', async () => {
    const other = process.platform === 'win32' ? 'linux' : 'win32';
    const r = await provisionCli('--os', other);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--os ${other} on a ${process.platform} machine without --dry-run`);
    expect(r.stderr).toContain(`to fix:   pnpm provision --dry-run --os ${other}`);
  });

  it('parses the good forms', () => {
    expect(parseProvisionArgs([], 'linux')).toEqual({ os: 'linux', dryRun: false, help: false });
    expect(parseProvisionArgs(['--dry-run', '--os', 'darwin'], 'linux')).toEqual({ os: 'darwin', dryRun: true, help: false });
    expect(() => parseProvisionArgs([], 'aix')).toThrow(/unknown OS "aix"/);
  });
});

describe.runIf(process.platform !== 'win32')('running a step (bash)', () => {
  const base = { name: 'x', why: 'test', fix: 'do it by hand' };

  it('says already when the check passes, and runs nothing', async () => {
    const r = await runStep('linux', { ...base, check: 'true', run: ['exit 9'] }, new Set());
    expect(r).toEqual({ outcome: 'already', line: 'already (checked: true)' });
  });

  it('skips a step that does not apply, with the reason its check gave', async () => {
    const r = await runStep(
      'linux',
      { ...base, when: { check: 'echo no such module >&2; exit 1', unless: 'not here' }, check: 'false', run: [] },
      new Set(),
    );
    expect(r).toEqual({ outcome: 'skipped', line: 'skipped: not here (no such module)' });
  });

  it('skips a step whose prerequisite did not succeed', async () => {
    const r = await runStep('linux', { ...base, after: 'homebrew', check: 'false', run: ['true'] }, new Set());
    expect(r.outcome).toBe('skipped');
    expect(r.line).toBe('skipped: needs "homebrew", which is not done');
  });

  it('runs the commands in order and says done, or failed with the error and the fix', async () => {
    expect(await runStep('linux', { ...base, check: 'false', run: ['true', 'true'] }, new Set(['homebrew']))).toEqual({
      outcome: 'done',
      line: 'done (ran: true; true)',
    });
    const failed = await runStep('linux', { ...base, check: 'false', run: ['echo broken pipe >&2; exit 3', 'true'] }, new Set());
    expect(failed).toEqual({ outcome: 'failed', line: 'failed (exit 3: broken pipe); to fix: do it by hand' });
    expect(await runStep('linux', { ...base, check: 'false', run: [] }, new Set())).toEqual({
      outcome: 'missing',
      line: 'missing; to fix: do it by hand',
    });
  });
});
