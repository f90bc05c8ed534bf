import { describe, expect, it } from 'vitest';
import { remoteReferences } from './offline.ts';
import { byUrgency, duration, esc, hrefOf, renderPage, verdictOf, type PageRun } from './page.ts';

const run = (over: Partial<PageRun>): PageRun => ({
  anchor: 'run-1-kill9',
  title: 'kill9',
  verdict: 'pass',
  folder: 'reports/out/kill9-x',
  parameters: [],
  steps: [],
  attachments: [],
  ...over,
});

const failing = run({
  anchor: 'run-2-kill9',
  verdict: 'fail',
  start: 2,
  message: 'kill9 failed: orphans <pid 12>',
  summary: {
    scenario: 'kill9',
    verdict: 'fail',
    diagnosis: 'orphan taps survived',
    bugs: ['no-guardian', 'no-sweep'],
    seed: 7,
    checks: [
      { id: 'exit', verdict: 'pass', measured: 'SIGKILL', limit: 'SIGKILL', message: 'exit after SIGKILL' },
      {
        id: 'no-orphans',
        name: 'no orphans of the target',
        verdict: 'fail',
        measured: 3,
        limit: 0,
        unit: 'objects',
        message: '3 orphan(s) & <more>',
      },
    ],
    metrics: { silence_ms: 2165.5 },
    facts: { cleaned_by: 'none' },
  },
  steps: [
    { name: 'hilt-engine ready', status: 'passed', start: 0, stop: 150, steps: [{ name: 'inner', status: 'passed', start: 0, stop: 5 }] },
    { name: 'timeline.svg', attachments: [{ name: 'timeline.svg', source: 'a-attachment.svg', type: 'image/svg+xml' }] },
  ],
  attachments: [
    { name: 'timeline.svg', type: 'image/svg+xml', href: 'files/2-kill9/timeline.svg', bytes: 3000, stepPath: [] },
    { name: 'around-fault.wav', type: 'audio/wav', href: 'files/2-kill9/around-fault.wav', bytes: 68_682, stepPath: [] },
    { name: 'engine.log', type: 'text/plain', href: 'files/2-kill9/engine.log', bytes: 20, text: 'hilt-engine <ready>', stepPath: [] },
  ],
});

describe('renderPage', () => {
  const html = renderPage({ title: 'hilt report', generatedAt: new Date(0), folders: 2, runs: [run({ start: 1 }), failing] });

  it("shows a failed check's message, the timeline picture and the sound to play", () => {
    expect(html).toContain('3 orphan(s) &amp; &lt;more&gt;');
    expect(html).toContain('<img src="files/2-kill9/timeline.svg" alt="timeline.svg">');
    expect(html).toContain('<audio controls preload="metadata" src="files/2-kill9/around-fault.wav"></audio>');
    expect(html).toContain('<pre>hilt-engine &lt;ready&gt;</pre>');
    expect(html).toContain('bugs <b>no-guardian,no-sweep</b>');
    expect(html).toContain('1 pass, 1 fail');
  });

  it('lists failures first, and leaves out the steps that only carry an attachment', () => {
    expect(html.indexOf('id="run-2-kill9"')).toBeLessThan(html.indexOf('id="run-1-kill9"'));
    expect(html).toContain('Steps (2)');
    expect(html).toContain('padding-left:1.6em">inner');
  });

  it('loads nothing from outside the folder and runs no script', () => {
    expect(remoteReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('content="default-src &#39;none&#39;;');
  });

  it("shows the test's own failure message when the run has no summary", () => {
    const page = renderPage({ title: 't', generatedAt: new Date(0), folders: 1, runs: [run({ verdict: 'fail', message: 'boom <x>' })] });
    expect(page).toContain('<pre class="msg">boom &lt;x&gt;</pre>');
  });

  it('links the Allure view when there is one', () => {
    const page = renderPage({ title: 't', generatedAt: new Date(0), folders: 1, runs: [], allureHref: 'allure/index.html' });
    expect(page).toContain('<a href="allure/index.html">the same results in Allure</a>');
  });
});

describe('helpers', () => {
  it('escapes text and encodes paths', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(hrefOf('files/1 kill9/a#b?.wav')).toBe('files/1%20kill9/a%23b%3F.wav');
  });

  it('names verdicts in hilt words', () => {
    expect(verdictOf('flaky', 'failed')).toBe('flaky');
    expect(verdictOf(undefined, 'passed')).toBe('pass');
    expect(verdictOf(undefined, 'broken')).toBe('fail');
    expect(verdictOf(undefined, 'skipped')).toBe('unavailable');
    expect(verdictOf(undefined, undefined)).toBe('unknown');
  });

  it('orders by urgency, then start', () => {
    const runs = [
      run({ title: 'a', start: 3 }),
      run({ title: 'b', verdict: 'fail', start: 9 }),
      run({ title: 'c', verdict: 'flaky', start: 1 }),
    ];
    expect(runs.sort(byUrgency).map((r) => r.title)).toEqual(['b', 'c', 'a']);
  });

  it('writes durations people read', () => {
    expect([duration(undefined), duration(12.4), duration(2100), duration(150_000)]).toEqual(['', '12 ms', '2.1 s', '2.5 min']);
  });
});
