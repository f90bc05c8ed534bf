// A repetition's phases, checks and attachments, recorded as it runs with their real start and
// stop times. The runner hands them to the Allure result when the repetition ends: in full for the
// first repetition and every failed one, as one line for a later one that passed (a --repeat 300
// would otherwise write a result file of every phase of every run).

import type { StepNode } from '../report/allure-result.ts';

export class StepRecorder {
  private root: StepNode = { name: '', start: Date.now(), stop: 0, children: [] };
  private stack: StepNode[] = [this.root];

  private get current(): StepNode {
    return this.stack[this.stack.length - 1]!;
  }

  async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const node: StepNode = { name, start: Date.now(), stop: 0, timed: true, children: [] };
    this.current.children.push(node);
    this.stack.push(node);
    try {
      return await fn();
    } catch (e) {
      node.failed = (e as Error).message;
      throw e;
    } finally {
      node.stop = Date.now();
      this.stack.splice(this.stack.lastIndexOf(node), 1);
    }
  }

  check(name: string, failedMessage?: string): void {
    const at = Date.now();
    this.current.children.push({ name, start: at, stop: at, children: [], ...(failedMessage !== undefined && { failed: failedMessage }) });
  }

  attach(a: NonNullable<StepNode['attachment']>): void {
    const at = Date.now();
    this.current.children.push({ name: a.file, start: at, stop: at, children: [], attachment: a });
  }

  // What was recorded since the last take, and a fresh start.
  take(): StepNode[] {
    const nodes = this.root.children;
    this.root = { name: '', start: Date.now(), stop: 0, children: [] };
    this.stack = [this.root];
    return nodes;
  }
}
