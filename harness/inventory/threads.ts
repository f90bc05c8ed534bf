// A process's threads and open descriptors, read from /proc (the OS's answer, not the target's).
import { readdir, readFile } from 'node:fs/promises';

export interface ThreadInfo {
  tid: number;
  name: string; // comm, cut at 15 characters by the kernel
}

// Threads other than the main one; undefined when the process is gone.
export async function otherThreads(pid: number): Promise<ThreadInfo[] | undefined> {
  try {
    const tids = (await readdir(`/proc/${pid}/task`)).map(Number).filter((t) => t !== pid);
    const out: ThreadInfo[] = [];
    for (const tid of tids) {
      const name = await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').then((s) => s.trim(), () => undefined);
      if (name !== undefined) out.push({ tid, name });
    }
    return out;
  } catch {
    return undefined;
  }
}

export async function fdCount(pid: number): Promise<number | undefined> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return undefined;
  }
}
