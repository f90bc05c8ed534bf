// Where each thread of a hung process waits, in words: "main thread in join (hilt::KernelServer::stop),
// 4 threads in poll (kernel-shell, ...)". Works on the stacks of gdb, lldb and cdb alike.
import type { Stacks, ThreadStack } from './gdb-stacks.ts';

export type WaitKind = 'join' | 'poll' | 'read' | 'sleep' | 'lock' | 'running';

export interface ThreadWait {
  thread: string; // its name, or "thread N"
  main: boolean;
  kind: WaitKind;
  site?: string; // the first frame of the program's own code above the wait
}

// Checked in this order over the top frames: a join waits on a futex too, so join comes first.
const KINDS: [WaitKind, RegExp][] = [
  ['join', /pthread_join|clockjoin|thread::join|_Thrd_join|pthread_timedjoin/],
  ['poll', /(^|_)(poll|ppoll|epoll_wait|epoll_pwait|select|pselect6?|kevent)$|WSAPoll|WaitForMultipleObjects|__select$/],
  ['read', /(^|_)(read|recv|recvfrom|recvmsg|accept4?)$|ReadFile|NtReadFile/],
  ['sleep', /nanosleep|clock_nanosleep|usleep|Sleep(Ex)?$|NtDelayExecution/],
  [
    'lock',
    new RegExp(
      'futex|pthread_cond|pthread_mutex|__psynch|_pthread_cond_wait|' +
        'SleepConditionVariable|WaitForSingleObject|NtWaitForSingleObject|RtlSleepCondition',
    ),
  ],
];
const TOP = 10;
// Frames that are the system's, not the program's: never the "site" of a wait.
const SYSTEM = new RegExp(
  '^(__|_?pthread|std::|_Thrd|clone|start_thread|\\?\\?|poll$|ppoll$|epoll|select$|read$|recv|accept|nanosleep|clock_nanosleep|' +
    'futex|Nt|Rtl|Wait|Sleep|WSAPoll|KERNELBASE|kernel32|BaseThreadInitThunk|_pthread_|thread_start|libc|raise$|abort$)',
);

// Libraries that are the system's (gdb, lldb and cdb name them so): their frames are not a site.
const SYSTEM_LIB = new RegExp(
  '^(libc\\.|libstdc\\+\\+|libpthread|ld-linux|libsystem_|libc\\+\\+|libdyld|' +
    'ntdll|kernelbase|kernel32|ws2_32|mswsock|ucrtbase|msvcp|vcruntime)',
  'i',
);

export function waitOf(t: ThreadStack): { kind: WaitKind; site?: string } {
  const top = t.frames.slice(0, TOP).map((f) => f.fn);
  const kind = KINDS.find(([, re]) => top.some((fn) => re.test(fn)))?.[0] ?? 'running';
  const site = t.frames.find((f) => !SYSTEM.test(f.fn) && !(f.from && SYSTEM_LIB.test(f.from)))?.fn.replace(/\(.*\)$/, '');
  return { kind, ...(site ? { site } : {}) };
}

// The main thread is the one whose LWP is the pid (gdb), else the lowest-numbered one.
export function threadWaits(stacks: Stacks, pid?: number): ThreadWait[] {
  const mainId = stacks.threads.find((t) => pid !== undefined && t.lwp === pid)?.id ?? Math.min(...stacks.threads.map((t) => t.id));
  return stacks.threads.map((t) => ({ thread: t.name ?? `thread ${t.id}`, main: t.id === mainId, ...waitOf(t) }));
}

// "main thread in join (hilt::KernelServer::stop),
//  4 threads in poll (kernel-shell, kernel-control, kernel-hb, kernel-iopub: hilt::KernelServer::serve)"
export function describeWaits(waits: ThreadWait[]): string {
  const main = waits.find((w) => w.main);
  const parts: string[] = [];
  if (main) parts.push(`main thread in ${main.kind}${main.site ? ` (${main.site})` : ''}`);
  const groups = new Map<WaitKind, ThreadWait[]>();
  for (const w of waits) if (!w.main) groups.set(w.kind, [...(groups.get(w.kind) ?? []), w]);
  for (const [kind, ws] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const sites = [...new Set(ws.map((w) => w.site).filter(Boolean))];
    const names =
      ws
        .map((w) => w.thread)
        .slice(0, 6)
        .join(', ') + (ws.length > 6 ? ', …' : '');
    parts.push(`${ws.length} thread${ws.length > 1 ? 's' : ''} in ${kind} (${names}${sites.length === 1 ? `: ${sites[0]}` : ''})`);
  }
  return parts.join(', ');
}
