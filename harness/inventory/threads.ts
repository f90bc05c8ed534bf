// A process's threads and open descriptors, asked of the OS (the platform), not of the target.
import { platform, type ThreadInfo } from '../platform/index.ts';

export type { ThreadInfo };

// Threads other than the main one; undefined when the process is gone.
export async function otherThreads(pid: number): Promise<ThreadInfo[] | undefined> {
  return (await platform.threads(pid))?.filter((t) => t.tid !== pid);
}

export const fdCount = (pid: number): Promise<number | undefined> => platform.fdCount(pid);
