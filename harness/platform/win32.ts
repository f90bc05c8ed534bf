// Windows: live stacks by cdb and NTSTATUS names exist; every other fact throws
// PLATFORM_UNSUPPORTED naming the Windows API that would implement it.
import { ntStatus } from './ntstatus.ts';
import type { Debugger, Platform } from './platform.ts';
import { unsupported, unsupportedAsync } from './unsupported.ts';

const no = (fact: string, would: string) => unsupportedAsync('win32', fact, would);
const noSync = (fact: string, would: string) => unsupported('win32', fact, would);
const TOOLHELP = '`CreateToolhelp32Snapshot` + `Process32First/Next` (or `Get-CimInstance Win32_Process`)';

const stackDebugger: Debugger<[pid: number]> = {
  tool: 'cdb',
  // -pv: noninvasive, the target is suspended while read and resumed on "qd" (quit and detach).
  args: (pid) => ['-p', String(pid), '-pv', '-c', '~*k;qd'],
  parser: 'cdb',
  install: 'install the Debugging Tools for Windows (Windows SDK) and put cdb.exe on PATH',
};

export const win32: Platform = {
  os: 'win32',
  process: no('process facts (name, parent, state)', TOOLHELP),
  processState: no('process state (alive, exited, gone)', '`OpenProcess` + `GetExitCodeProcess` (STILL_ACTIVE)'),
  processes: no('the process list', TOOLHELP),
  parentPid: no("a process's parent pid", `${TOOLHELP} (th32ParentProcessID)`),
  processName: no("a process's name", '`QueryFullProcessImageNameW`'),
  threads: no('process threads', '`Thread32First/Next` for ids and `GetThreadDescription` for names'),
  fdCount: no("a process's open handle count", '`GetProcessHandleCount`'),
  children: no("a process's children", `${TOOLHELP} filtered on th32ParentProcessID`),
  descendants: no("a process's descendants", `${TOOLHELP} walked down th32ParentProcessID, or a Job object`),
  processesWithEnv: no(
    'processes carrying an environment marker',
    "`NtQueryInformationProcess` + `ReadProcessMemory` of the PEB's environment block, or a Job object holding the tree",
  ),
  processOrigin: no(
    "a process's command line and session",
    '`NtQueryInformationProcess` (ProcessCommandLineInformation) and `ProcessIdToSessionId`',
  ),
  // The Windows counterpart of a cgroup is a job object per target (issue: hilt on Windows).
  containment: () => ({
    ok: false,
    why: 'job objects are not implemented yet',
    fix: "none yet on Windows: a job object per target (`CreateJobObject` + `AssignProcessToJobObject`) is hilt's plan",
  }),
  newGroup: noSync('a job object per target', '`CreateJobObject` + `AssignProcessToJobObject`, ended by `TerminateJobObject`'),
  coreLaunchPrefix: noSync(
    'crash dumps of a launched target',
    'Windows Error Reporting LocalDumps (HKLM\\...\\LocalDumps\\<exe> DumpFolder, DumpType 2)',
  ),
  corePattern: no('where crash dumps are written', 'the WER LocalDumps DumpFolder registry value'),
  isCoreFile: noSync('recognising a crash dump', 'the *.dmp files WER LocalDumps writes'),
  coreDebugger: noSync('reading a crash dump', "`cdb -z DUMP -c '~*k;q'` read by the cdb parser"),
  stackDebugger: () => stackDebugger,
  pythonStackDebugger: noSync('Python stacks of a live process', '`py-spy dump --pid PID`'),
  resourceLimits: no("a process's resource limits", "a Job object's limits (`QueryInformationJobObject`)"),
  reaperArgv: noSync('the reaper', "a Job object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, which dies with hilt's handle"),
  killTree: no('killing a process tree', '`taskkill /T /F /PID PID` or `TerminateJobObject`'),
  exitStatus: ntStatus,
};
