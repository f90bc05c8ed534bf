// What `pnpm provision` does on each OS, as data: one list of steps that both the real run
// (run.ts) and --dry-run print from, so what a dry run shows is what a real run does.
// Pure: no process is spawned and no file read here; what a step depends on comes in as Facts.
//
// Commands are scripts in the OS's own shell: bash on macOS and Linux, Windows PowerShell
// (powershell.exe, present on every Windows) on Windows. A check exits 0 when the step is already
// done; `when` exits 0 when the step applies at all (else the step is skipped, saying why).

export type Os = 'darwin' | 'win32' | 'linux';
export const OSES: readonly Os[] = ['darwin', 'win32', 'linux'];

export interface Step {
  name: string;
  why: string;
  /** Exit 0: the step applies here. Otherwise it is skipped with `unless`. */
  when?: { check: string; unless: string };
  /** Exit 0: already done. */
  check: string;
  /** Run in order when the check fails; empty when only a person can do it (see fix). */
  run: string[];
  /** What to do by hand when the step fails or cannot be automated. */
  fix: string;
  /** A failed optional step is a warning: the runner works without it (less evidence). */
  optional?: boolean;
  /** The name of an earlier step that must have succeeded first. */
  after?: string;
}

export interface TccClient {
  /** A bundle id (com.apple.Terminal) or an absolute path to an executable. */
  client: string;
  /** TCC's client_type: 0 for a bundle id, 1 for a path. */
  type: 0 | 1;
}

export interface Facts {
  /** darwin: the major version (sw_vers -productVersion): macOS 14 added four columns to TCC's access table. */
  macosMajor?: number;
  /** darwin: who asks for the microphone: the runner's or terminal's app and node itself. */
  tccClients?: TccClient[];
  /** linux: harness/setup/apt-packages.txt, the list setup.sh installs. */
  aptPackages?: string[];
  /** linux: root needs no sudo. */
  root?: boolean;
}

// ---- macOS ----------------------------------------------------------------------------------

const TCC_DB = '"$HOME/Library/Application Support/com.apple.TCC/TCC.db"';
const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
// Text inside a bash double-quoted string.
const dq = (s: string): string => s.replace(/[\\"$`]/g, (c) => `\\${c}`);

/**
 * The access table's columns (the user's TCC.db): macOS 11 to 13 have 13, macOS 14 and later 17
 * (pid, pid_version, boot_uuid, last_reminded added). A row is written whole, in column order:
 * service, client, client_type, auth_value (2 allowed), auth_reason (3 user set), auth_version,
 * csreq, policy_id, indirect_object_identifier_type, indirect_object_identifier,
 * indirect_object_code_identity, flags, last_modified [, pid, pid_version, boot_uuid, last_reminded].
 */
export function tccColumns(macosMajor: number): 13 | 17 | undefined {
  if (macosMajor >= 14) return 17;
  if (macosMajor >= 11) return 13;
  return undefined;
}

export function tccRow(c: TccClient, columns: 13 | 17): string {
  const now = "CAST(strftime('%s','now') AS INTEGER)";
  const base = [sqlString('kTCCServiceMicrophone'), sqlString(c.client), c.type, 2, 3, 1, 'NULL', 'NULL', 0, "'UNUSED'", 'NULL', 0, now];
  const values = columns === 17 ? [...base, 'NULL', 'NULL', "'UNUSED'", 0] : base;
  return `INSERT OR REPLACE INTO access VALUES (${values.join(', ')});`;
}

function tccStep(c: TccClient, macosMajor: number): Step {
  const name = `microphone grant (${c.client})`;
  const why =
    'without the grant the first capture waits on a permission prompt nobody answers (cubeb #777; ' +
    "cubeb-coreaudio-rs's CI writes the same row)";
  const fix =
    'give the process that runs this Full Disk Access (System Settings > Privacy & Security), ' +
    'or allow the microphone for it by hand (System Settings > Privacy & Security > Microphone)';
  const check =
    `[ "$(sqlite3 ${TCC_DB} "SELECT auth_value FROM access WHERE service='kTCCServiceMicrophone' ` +
    `AND client=${dq(sqlString(c.client))}")" = 2 ]`;
  const columns = tccColumns(macosMajor);
  if (columns === undefined) return { name, why, check, run: [], fix: `macOS ${macosMajor} is older than 11: ${fix}` };
  // The row is written only into a table of the expected width: another layout fails, saying so.
  const guard =
    `cols=$(sqlite3 ${TCC_DB} "SELECT count(*) FROM pragma_table_info('access')"); ` +
    `[ "$cols" = ${columns} ] || ` +
    `{ echo "TCC.db's access table has $cols columns; expected ${columns} on macOS ${macosMajor}" >&2; exit 1; }`;
  const insert = `sqlite3 ${TCC_DB} "${dq(tccRow(c, columns))}"`;
  return { name, why: `${why}; macOS ${macosMajor}: a row of ${columns} columns`, check, run: [`${guard}; ${insert}`], fix };
}

function brewStep(pkg: string, kind: 'cask' | 'formula', why: string): Step {
  return {
    name: pkg,
    why,
    check: `brew list --${kind} ${pkg} >/dev/null 2>&1`,
    run: [`NONINTERACTIVE=1 HOMEBREW_NO_AUTO_UPDATE=1 brew install --${kind} ${pkg}`],
    fix: `brew install --${kind} ${pkg}` + (kind === 'cask' ? ' (its installer asks for sudo: run it at the Mac once)' : ''),
    after: 'homebrew',
  };
}

function defaultDevice(direction: 'input' | 'output'): Step {
  return {
    name: `default ${direction}: BlackHole 2ch`,
    why: `the rig plays and captures through BlackHole 2ch: the system's default ${direction} must be it`,
    check: `[ "$(SwitchAudioSource -c -t ${direction})" = "BlackHole 2ch" ]`,
    run: [`SwitchAudioSource -s "BlackHole 2ch" -t ${direction}`],
    fix:
      'BlackHole 2ch must be listed by `SwitchAudioSource -a`; right after its install CoreAudio may not see it yet: ' +
      '`sudo launchctl kickstart -kp system/com.apple.audio.coreaudiod`, then run pnpm provision again',
    after: 'switchaudio-osx',
  };
}

function darwinSteps(f: Facts): Step[] {
  const macosMajor = f.macosMajor ?? 14;
  return [
    {
      name: 'homebrew',
      why: 'BlackHole, SwitchAudioSource and sox come from Homebrew',
      check: 'command -v brew >/dev/null',
      run: [],
      fix: 'install Homebrew (https://brew.sh), then run pnpm provision again',
    },
    brewStep('blackhole-2ch', 'cask', "the loopback device: the rig's observed output and its capture"),
    brewStep('switchaudio-osx', 'formula', 'SwitchAudioSource selects the default input and output'),
    brewStep('sox', 'formula', "the tone and the capture, by sox's coreaudio driver"),
    defaultDevice('output'),
    defaultDevice('input'),
    ...(f.tccClients ?? []).map((c) => tccStep(c, macosMajor)),
    {
      name: 'lldb',
      why: 'live stacks of a hung target are taken by lldb (the Command Line Tools)',
      check: 'xcode-select -p >/dev/null 2>&1',
      run: [],
      fix:
        'xcode-select --install (it opens a dialog: accept it at the Mac), or the Command Line Tools ' +
        'package from https://developer.apple.com/download/all/',
      optional: true,
    },
  ];
}

// ---- Windows --------------------------------------------------------------------------------

// Scream, the recipe of actions/runner-images#2528 that ci.yml's windows-wasapi job used inline:
// its release zip, its signer trusted, the driver installed by the devcon.exe it ships.
export const SCREAM_URL = 'https://github.com/duncanthrax/scream/releases/download/3.6/Scream3.6.zip';
const KITS_CDB = "Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\\10\\Debuggers\\x64'";

function win32Steps(): Step[] {
  return [
    {
      name: 'audio service',
      why: 'hosted Windows runners have the audio service stopped; without it no device opens',
      check: "$s = Get-Service Audiosrv; if ($s.Status -eq 'Running' -and $s.StartType -eq 'Automatic') { exit 0 } else { exit 1 }",
      run: [
        "$ErrorActionPreference = 'Stop'; Set-Service AudioEndpointBuilder -StartupType Automatic; " +
          'Set-Service Audiosrv -StartupType Automatic; Start-Service AudioEndpointBuilder, Audiosrv',
      ],
      fix: 'as an administrator: Set-Service Audiosrv -StartupType Automatic; Start-Service Audiosrv',
    },
    {
      name: 'Scream (virtual audio device)',
      why: 'a hosted runner has no audio device at all; Scream is a signed virtual one (actions/runner-images#2528)',
      check: "if (Get-CimInstance Win32_SoundDevice | Where-Object Name -like '*Scream*') { exit 0 } else { exit 1 }",
      run: [
        [
          "$ErrorActionPreference = 'Stop'",
          "$dir = Join-Path $env:TEMP 'hilt-scream'",
          `Invoke-WebRequest '${SCREAM_URL}' -OutFile "$dir.zip"`,
          'Expand-Archive -Force -Path "$dir.zip" -DestinationPath $dir',
          '$cert = (Get-AuthenticodeSignature "$dir\\Install\\driver\\Scream.sys").SignerCertificate',
          "$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('TrustedPublisher', 'LocalMachine')",
          "$store.Open('ReadWrite'); $store.Add($cert); $store.Close()",
          'Set-Location "$dir\\Install\\driver"',
          '& "$dir\\Install\\helpers\\devcon.exe" install Scream.inf "*Scream"',
          'exit $LASTEXITCODE',
        ].join('; '),
      ],
      fix: `as an administrator: install Scream from ${SCREAM_URL} (Install\\Install-x64.bat), or give the runner another audio device`,
      after: 'audio service',
    },
    {
      name: 'cdb',
      why: 'live stacks of a hung target are taken by cdb (Debugging Tools for Windows)',
      check: 'if (Get-Command cdb -ErrorAction SilentlyContinue) { exit 0 } else { exit 1 }',
      run: [
        [
          "$ErrorActionPreference = 'Stop'",
          `$dir = ${KITS_CDB}`,
          'if (-not (Test-Path "$dir\\cdb.exe")) { ' +
            'if (Get-Command choco -ErrorAction SilentlyContinue) { choco install -y --no-progress windbg } ' +
            'elseif (Get-Command winget -ErrorAction SilentlyContinue) { winget install --id Microsoft.WinDbg -e --silent ' +
            '--accept-package-agreements --accept-source-agreements; ' +
            "$w = Get-AppxPackage Microsoft.WinDbg; if ($w) { $dir = Join-Path $w.InstallLocation 'amd64' } } }",
          'if (-not (Test-Path "$dir\\cdb.exe")) { Write-Error "no cdb.exe in $dir after the install" }',
          // PATH for the following steps of a GitHub job, else the user's PATH for new shells.
          'if ($env:GITHUB_PATH) { Add-Content $env:GITHUB_PATH $dir } else { ' +
            "$p = [Environment]::GetEnvironmentVariable('Path', 'User'); " +
            "[Environment]::SetEnvironmentVariable('Path', ($p.TrimEnd(';') + ';' + $dir), 'User') }",
          'Write-Output "cdb: $dir\\cdb.exe, added to PATH (new shells and the next job steps see it)"',
        ].join('; '),
      ],
      fix:
        'install the Debugging Tools for Windows (the Windows SDK installer, feature "Debugging Tools for Windows"; ' +
        'or choco install windbg) and put the folder of cdb.exe on PATH',
      optional: true,
    },
  ];
}

// ---- Linux ----------------------------------------------------------------------------------

function moduleStep(module: string, why: string, sudo: string): Step {
  const sysName = module.replaceAll('-', '_');
  return {
    name: module,
    why,
    // modinfo finds modules under /lib/modules/$(uname -r) and built-in ones alike; without kmod, the folder itself.
    when: {
      check:
        `modinfo ${module} >/dev/null 2>&1 || [ -d /sys/module/${sysName} ] || ` +
        `find "/lib/modules/$(uname -r)" -name '${module}.ko*' 2>/dev/null | grep -q . || ` +
        `{ echo "neither modinfo nor /lib/modules/$(uname -r) knows ${module}" >&2; exit 1; }`,
      unless: `this kernel has no ${module}`,
    },
    // /sys/module has loaded and built-in modules (lsmod lists only loaded ones).
    check: `[ -d /sys/module/${sysName} ]`,
    run: [`${sudo}modprobe ${module}`],
    fix: `as root: modprobe ${module}; to load it at boot: echo ${module} > /etc/modules-load.d/hilt-${module}.conf`,
  };
}

function linuxSteps(f: Facts): Step[] {
  const sudo = f.root ? '' : 'sudo ';
  const pkgs = (f.aptPackages ?? []).join(' ');
  return [
    {
      name: 'Debian packages',
      why: 'the audio server, toolchain and example targets (harness/setup/apt-packages.txt, the list setup.sh installs)',
      when: { check: 'command -v apt-get >/dev/null && command -v dpkg-query >/dev/null', unless: 'not a Debian system (no apt-get)' },
      check: `for p in ${pkgs}; do dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || exit 1; done`,
      run: [
        `${sudo}apt-get update -qq`,
        `${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs}`,
      ],
      fix: 'npm run setup (as root, or with passwordless sudo) installs the same packages',
    },
    moduleStep('snd-aloop', "ALSA's loopback card: a device pair without a sound card", sudo),
    moduleStep('snd-seq', "the ALSA sequencer: MIDI ports between programs (the virtual rig's MIDI is JACK's)", sudo),
    moduleStep('snd-virmidi', 'virtual raw MIDI devices on the sequencer', sudo),
  ];
}

export function stepsFor(os: Os, facts: Facts): Step[] {
  if (os === 'darwin') return darwinSteps(facts);
  if (os === 'win32') return win32Steps();
  return linuxSteps(facts);
}

/** The dry run's text: the steps in order, each with what decides it and what it would run. */
export function planText(os: Os, facts: Facts, factsNote: string): string {
  const out = [`pnpm provision --dry-run --os ${os}: the steps in order; nothing is run`, `facts: ${factsNote}`];
  stepsFor(os, facts).forEach((s, i) => {
    out.push(`${i + 1}. ${s.name}${s.optional ? ' (optional)' : ''}: ${s.why}`);
    if (s.after) out.push(`   after:   ${s.after}`);
    if (s.when) out.push(`   only if: ${s.when.check}   (else skipped: ${s.when.unless})`);
    out.push(`   check:   ${s.check}   (exit 0: already)`);
    if (s.run.length === 0) out.push(`   run:     nothing automatic; by hand: ${s.fix}`);
    s.run.forEach((r, j) => out.push(`   ${j === 0 ? 'run:    ' : '        '} ${r}`));
  });
  return out.join('\n');
}
