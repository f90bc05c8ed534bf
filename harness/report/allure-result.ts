// One Allure test result per scenario run, written as Allure 2 and 3 read it
// (<uuid>-result.json and <uuid>-attachment.<ext>), straight from hilt's own record of the run:
// no test runner in between. The step tree is the run's phases, checks and evidence.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment, Label, Parameter, StepResult, TestResult } from 'allure-js-commons';

// A recorded step: a phase (timed), a check, or an attachment (harness/scenario/steps.ts records them).
export interface StepAttachment {
  file: string; // its name in the run's folder
  content: Buffer;
  contentType: string;
  ext: string;
}

export interface StepNode {
  name: string;
  start: number; // epoch ms
  stop: number;
  timed?: boolean; // a phase: its duration is part of its name in the report
  failed?: string; // the message of a failed check or phase
  children: StepNode[];
  attachment?: StepAttachment;
}

type Status = 'passed' | 'failed' | 'broken' | 'skipped';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export class AllureResult {
  readonly labels: Label[] = [];
  readonly parameters: Parameter[] = [];
  private readonly steps: StepResult[] = [];
  private readonly attachments: Attachment[] = [];
  private readonly start = Date.now();

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly fullName: string,
    private readonly description: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  label(name: string, value: string): void {
    this.labels.push({ name, value });
  }

  // excluded: not part of the history id (the seed), so runs of the same thing share a history.
  parameter(name: string, value: string, excluded = false): void {
    this.parameters.push({ name, value, ...(excluded && { excluded }) });
  }

  // A step holding the recorded nodes; failed with `failed` as its message when given.
  step(name: string, nodes: StepNode[], failed?: string): void {
    const at = Date.now();
    const start = nodes[0]?.start ?? at;
    this.steps.push(this.stepOf({ name, start, stop: at, children: nodes, ...(failed !== undefined && { failed }) }));
  }

  // A step of one line (a later repetition that passed).
  line(name: string): void {
    const at = Date.now();
    this.steps.push(this.stepOf({ name, start: at, stop: at, children: [] }));
  }

  // Nodes at the test's own level (set-up and the rig's teardown, outside any repetition).
  add(nodes: StepNode[]): void {
    for (const n of nodes) {
      if (n.attachment) this.attachments.push(this.file(n));
      else this.steps.push(this.stepOf(n));
    }
  }

  attach(name: string, content: Buffer, contentType: string, ext: string): void {
    const at = Date.now();
    this.attachments.push(this.file({ name, start: at, stop: at, children: [], attachment: { file: name, content, contentType, ext } }));
  }

  write(status: Status, message?: string): string {
    const visible = this.parameters.filter((p) => !p.excluded).map((p) => `${p.name}=${p.value}`);
    const testCaseId = md5(this.fullName);
    const result: TestResult = {
      uuid: randomUUID(),
      name: this.name,
      fullName: this.fullName,
      testCaseId,
      historyId: `${testCaseId}:${md5(visible.join(','))}`,
      description: this.description,
      status: status as TestResult['status'],
      statusDetails: message === undefined ? {} : { message },
      stage: 'finished' as TestResult['stage'],
      steps: this.steps,
      attachments: this.attachments,
      parameters: this.parameters,
      labels: this.labels,
      links: [],
      start: this.start,
      stop: Date.now(),
    };
    const file = join(this.dir, `${result.uuid}-result.json`);
    writeFileSync(file, JSON.stringify(result));
    return file;
  }

  private stepOf(n: StepNode): StepResult {
    const children = n.children.filter((c) => !c.attachment);
    const ms = n.stop - n.start;
    return {
      name: n.timed ? `${n.name} (${ms} ms)` : n.name,
      status: (n.failed === undefined ? 'passed' : 'failed') as StepResult['status'],
      statusDetails: n.failed === undefined ? {} : { message: n.failed },
      stage: 'finished' as StepResult['stage'],
      start: n.start,
      stop: n.stop,
      steps: children.map((c) => this.stepOf(c)),
      attachments: n.children.filter((c) => c.attachment).map((c) => this.file(c)),
      parameters: [],
    };
  }

  private file(n: StepNode): Attachment {
    const a = n.attachment!;
    const source = `${randomUUID()}-attachment.${a.ext}`;
    writeFileSync(join(this.dir, source), a.content);
    return { name: a.file, source, type: a.contentType };
  }
}
