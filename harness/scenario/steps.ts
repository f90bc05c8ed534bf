// A repetition's phases, checks and attachments, recorded as it runs and handed to Allure when it
// ends: in full for the first repetition and every failed one, as one line for a later one that
// passed. allure-vitest keeps every step and attachment in the test's metadata, which vitest sends
// again on each update, so sending all of them made run 100 of a --repeat 300 2.5 times slower
// than run 1.
import * as allure from 'allure-js-commons';
import { Status } from 'allure-js-commons';

interface Attachment {
  file: string;
  content: Buffer;
  contentType: string;
  ext: string;
}

interface StepNode {
  name: string;
  ms?: number;
  failed?: string; // the message of a failed check or phase
  children: StepNode[];
  attachment?: Attachment;
}

// Allure files an error named AssertionError as "failed" (a product defect), others as "broken".
export class CheckFailed extends Error {
  override name = 'AssertionError';
}

export class StepRecorder {
  private root: StepNode = { name: '', children: [] };
  private stack: StepNode[] = [this.root];

  private get current(): StepNode {
    return this.stack[this.stack.length - 1]!;
  }

  async phase<T>(name: string, fn: () => Promise<T>, clock: () => number): Promise<T> {
    const node: StepNode = { name, children: [] };
    this.current.children.push(node);
    this.stack.push(node);
    const t = clock();
    try {
      return await fn();
    } catch (e) {
      node.failed = (e as Error).message;
      throw e;
    } finally {
      node.ms = Math.round(clock() - t);
      this.stack.splice(this.stack.lastIndexOf(node), 1);
    }
  }

  check(name: string, failedMessage?: string): void {
    this.current.children.push({ name, children: [], ...(failedMessage !== undefined && { failed: failedMessage }) });
  }

  attach(a: Attachment): void {
    this.current.children.push({ name: a.file, children: [], attachment: a });
  }

  // Sends what was recorded to Allure (in full, or nothing of it) and starts afresh.
  async flush(full: boolean): Promise<void> {
    const nodes = this.root.children;
    this.root = { name: '', children: [] };
    this.stack = [this.root];
    if (full) await replay(nodes);
  }
}

async function replay(nodes: StepNode[]): Promise<void> {
  for (const n of nodes) {
    if (n.attachment) {
      const a = n.attachment;
      await allure.attachment(a.file, a.content, { contentType: a.contentType, fileExtension: a.ext });
    } else if (n.ms === undefined) {
      await allure.logStep(n.name, n.failed === undefined ? Status.PASSED : Status.FAILED, failedWith(n.failed));
    } else {
      await allure
        .step(`${n.name} (${n.ms} ms)`, async () => {
          await replay(n.children);
          if (n.failed !== undefined) throw new CheckFailed(n.failed);
        })
        .then(undefined, (e: unknown) => {
          if (!(e instanceof CheckFailed)) throw e;
        });
    }
  }
}

const failedWith = (message: string | undefined): Error | undefined => (message === undefined ? undefined : new CheckFailed(message));
