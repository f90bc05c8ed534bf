// A process tree killed children first, so none is re-parented and missed while its parent dies;
// kill(2) with SIGKILL (POSIX: Linux and macOS). Returns the pids it reached.
export async function killTreeBySignal(pid: number, descendants: (pid: number) => Promise<number[]>): Promise<number[]> {
  const tree = [...(await descendants(pid)).reverse(), pid];
  return tree.filter((p) => {
    try {
      return process.kill(p, 'SIGKILL');
    } catch {
      return false; // already gone
    }
  });
}
