// The HTML report's page: one static file, no script, styles inline, system fonts, every picture
// and sound a file inside the report folder (its policy forbids loading anything else). Pure:
// the builder gives it what to show and where each copied file is.
import type { AllureStep, ReportedSummary } from './collect.ts';

export interface PageAttachment {
  name: string;
  type: string; // MIME type
  href: string; // relative to the page
  bytes: number;
  text?: string; // inlined content of a small text attachment
  stepPath: string[];
}

export interface PageRun {
  anchor: string;
  title: string;
  verdict: string; // pass, fail, flaky, unavailable, unknown
  folder: string; // as shown to people
  message?: string; // the test's failure message (Allure statusDetails)
  trace?: string;
  parameters: { name: string; value: string }[];
  steps: AllureStep[];
  summary?: ReportedSummary;
  attachments: PageAttachment[];
  start?: number; // epoch ms
  durationMs?: number;
}

export interface PageInput {
  title: string;
  generatedAt: Date;
  folders: number;
  runs: PageRun[];
  allureHref?: string; // the Allure 3 view, when it was built
}

// Loads only what the folder holds ('self' when served, file: when opened from disk); no script.
export const CONTENT_POLICY =
  "default-src 'none'; img-src 'self' file: data:; media-src 'self' file:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

// A path as an attribute value: each segment URI-encoded, so names with spaces, '#' or '?' still load.
export const hrefOf = (rel: string) => esc(rel.split('/').map(encodeURIComponent).join('/'));

// The verdict a run shows: its summary's; else the Allure status in hilt's words.
export function verdictOf(summaryVerdict: string | undefined, allureStatus: string | undefined): string {
  if (summaryVerdict) return summaryVerdict;
  const map: Record<string, string> = { passed: 'pass', failed: 'fail', broken: 'fail', skipped: 'unavailable' };
  return map[allureStatus ?? ''] ?? 'unknown';
}

// Failures first (fail, flaky, unknown, unavailable, pass), then by start time.
const RANK: Record<string, number> = { fail: 0, flaky: 1, unknown: 2, unavailable: 3, pass: 4 };
export const byUrgency = (a: PageRun, b: PageRun) =>
  (RANK[a.verdict] ?? 2) - (RANK[b.verdict] ?? 2) || (a.start ?? 0) - (b.start ?? 0) || a.title.localeCompare(b.title);

export const duration = (ms: number | undefined) =>
  ms === undefined
    ? ''
    : ms < 1000
      ? `${Math.round(ms)} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${(ms / 60_000).toFixed(1)} min`;

const value = (v: unknown, unit?: string) => {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return unit && typeof v === 'number' ? `${s} ${unit}` : s;
};

const badge = (verdict: string) => `<span class="v v-${esc(verdict)}">${esc(verdict.toUpperCase())}</span>`;

function failedChecks(run: PageRun): string {
  const failed = run.summary?.checks.filter((c) => c.verdict === 'fail') ?? [];
  if (failed.length) {
    const items = failed.map(
      (c) =>
        `<li><b>${esc(c.name ?? c.id)}</b> <code>${esc(c.id)}${c.subject ? ` ${esc(c.subject)}` : ''}</code>` +
        `<div class="msg">${esc(c.message ?? '')}</div></li>`,
    );
    return `<div class="failed"><h3>Failed checks (${failed.length})</h3><ul>${items.join('')}</ul></div>`;
  }
  if (run.verdict !== 'pass' && run.message) return `<div class="failed"><h3>Failure</h3><pre class="msg">${esc(run.message)}</pre></div>`;
  return '';
}

function checksTable(s: ReportedSummary): string {
  if (!s.checks.length) return '';
  const rows = s.checks.map(
    (c) =>
      `<tr class="c-${esc(c.verdict)}"><td>${badge(c.verdict)}</td>` +
      `<td><code>${esc(c.id)}</code>${c.subject ? `<br>${esc(c.subject)}` : ''}</td>` +
      `<td>${esc(c.name ?? '')}</td><td>${esc(value(c.measured, c.unit))}</td><td>${esc(value(c.limit, c.unit))}</td>` +
      `<td>${esc(c.message ?? '')}</td></tr>`,
  );
  return (
    `<h3>Checks</h3><table class="checks"><thead><tr><th>verdict</th><th>id</th><th>check</th><th>measured</th><th>limit</th>` +
    `<th>message</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function keyValues(title: string, entries: [string, string][]): string {
  if (!entries.length) return '';
  const rows = entries.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  return `<h3>${esc(title)}</h3><table class="kv">${rows}</table>`;
}

// The step tree, without the steps that only carry an attachment (the attachments are shown apart).
function stepRows(steps: AllureStep[], depth: number): string[] {
  return steps.flatMap((s) => {
    const onlyAttachment = !s.steps?.length && (s.attachments?.length ?? 0) > 0;
    if (onlyAttachment) return [];
    const ms = s.start !== undefined && s.stop !== undefined ? s.stop - s.start : undefined;
    const status = s.status ?? '';
    const msg = s.statusDetails?.message ? `<div class="msg">${esc(s.statusDetails.message)}</div>` : '';
    const row =
      `<tr class="s-${esc(status)}"><td style="padding-left:${0.4 + depth * 1.2}em">${esc(s.name ?? '')}${msg}</td>` +
      `<td>${esc(status)}</td><td class="num">${esc(duration(ms))}</td></tr>`;
    return [row, ...stepRows(s.steps ?? [], depth + 1)];
  });
}

function stepsBlock(steps: AllureStep[]): string {
  const rows = stepRows(steps, 0);
  if (!rows.length) return '';
  return (
    `<details><summary>Steps (${rows.length})</summary>` +
    `<table class="steps"><thead><tr><th>step</th><th>status</th><th>time</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></details>`
  );
}

const isImage = (a: PageAttachment) => a.type.startsWith('image/');
const isAudio = (a: PageAttachment) => a.type.startsWith('audio/');

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

function media(run: PageRun): string {
  const images = run.attachments
    .filter(isImage)
    .map((a) => `<figure><img src="${hrefOf(a.href)}" alt="${esc(a.name)}"><figcaption>${esc(a.name)}</figcaption></figure>`);
  const sounds = run.attachments
    .filter(isAudio)
    .map(
      (a) =>
        `<figure class="audio"><figcaption>${esc(a.name)} (${size(a.bytes)})</figcaption>` +
        `<audio controls preload="metadata" src="${hrefOf(a.href)}"></audio> <a href="${hrefOf(a.href)}" download>download</a></figure>`,
    );
  return images.join('') + sounds.join('');
}

function otherAttachments(run: PageRun): string {
  const rest = run.attachments.filter((a) => !isImage(a) && !isAudio(a));
  if (!rest.length) return '';
  const items = rest.map((a) => {
    const link = `<a href="${hrefOf(a.href)}">${esc(a.name)}</a> <span class="dim">${esc(a.type)}, ${size(a.bytes)}</span>`;
    return a.text === undefined ? `<li>${link}</li>` : `<li><details><summary>${link}</summary><pre>${esc(a.text)}</pre></details></li>`;
  });
  return `<h3>Evidence</h3><ul class="files">${items.join('')}</ul>`;
}

function runSection(run: PageRun): string {
  const s = run.summary;
  const bugs = s?.bugs?.length ? s.bugs.join(',') : run.parameters.find((p) => p.name === 'bugs')?.value;
  const seed = s?.seed ?? run.parameters.find((p) => p.name === 'seed')?.value;
  const meta: string[] = [
    s?.target ? `target <b>${esc(s.target)}</b>` : '',
    s?.rig ? `rig ${esc(s.rig)}` : '',
    bugs && bugs !== 'none' ? `bugs <b>${esc(bugs)}</b>` : '',
    seed !== undefined ? `seed ${esc(String(seed))}` : '',
    s?.runs !== undefined ? `runs ${s.runs}${s.failures ? `, ${s.failures} failed` : ''}` : '',
    run.start ? `started ${esc(new Date(run.start).toISOString())}` : '',
    run.durationMs !== undefined ? `took ${esc(duration(run.durationMs))}` : '',
  ].filter(Boolean);
  const diagnosis = s?.diagnosis ? `<p class="diag">${esc(s.diagnosis)}</p>` : '';
  const trace =
    run.trace && run.verdict !== 'pass' ? `<details><summary>Stack of the failure</summary><pre>${esc(run.trace)}</pre></details>` : '';
  return (
    `<section id="${esc(run.anchor)}" class="run r-${esc(run.verdict)}"><h2>${badge(run.verdict)} ${esc(run.title)}</h2>` +
    `<p class="meta">${meta.join(' · ')}<br><span class="dim">${esc(run.folder)}</span></p>` +
    failedChecks(run) +
    diagnosis +
    media(run) +
    (s ? checksTable(s) : '') +
    (s
      ? keyValues(
          'Metrics',
          Object.entries(s.metrics).map(([k, v]) => [k, String(v)]),
        )
      : '') +
    (s ? keyValues('Facts', Object.entries(s.facts)) : '') +
    stepsBlock(run.steps) +
    otherAttachments(run) +
    trace +
    `</section>`
  );
}

function overview(runs: PageRun[]): string {
  const rows = runs.map((r) => {
    const s = r.summary;
    const bugs = s?.bugs?.join(',') ?? r.parameters.find((p) => p.name === 'bugs')?.value ?? '';
    const diag = s?.diagnosis ?? r.message ?? '';
    return (
      `<tr class="r-${esc(r.verdict)}"><td>${badge(r.verdict)}</td><td><a href="#${esc(r.anchor)}">${esc(r.title)}</a></td>` +
      `<td>${esc(bugs === 'none' ? '' : bugs)}</td><td>${esc(String(s?.seed ?? ''))}</td>` +
      `<td class="num">${esc(duration(r.durationMs))}</td>` +
      `<td>${esc(diag.length > 200 ? `${diag.slice(0, 200)}…` : diag)}</td></tr>`
    );
  });
  return (
    `<table class="overview"><thead><tr><th>verdict</th><th>scenario</th><th>bugs</th><th>seed</th><th>time</th><th>diagnosis</th>` +
    `</tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d1f23;--dim:#667;--line:#d8dbe0;
  --fail:#c62828;--pass:#2e7d32;--flaky:#b26a00;--na:#607d8b;--box:#fdecea}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e4e6ea;--dim:#99a;--line:#363a42;--box:#3a1f1f}}

body{margin:0 auto;max-width:1200px;padding:1em 1.5em;background:var(--bg);color:var(--fg);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{margin:.2em 0}h2{margin:0 0 .3em;font-size:1.3em}h3{margin:1em 0 .3em;font-size:1.05em}
a{color:inherit}.dim{color:var(--dim)}code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
pre{white-space:pre-wrap;word-break:break-word;background:rgba(127,127,127,.08);padding:.5em;margin:.3em 0;max-height:40em;overflow:auto}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border-bottom:1px solid var(--line);padding:.25em .4em;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}table.kv th{width:14em;font-weight:600}
.v{display:inline-block;min-width:4.5em;text-align:center;border-radius:3px;padding:0 .3em;
  color:#fff;font-size:.8em;font-weight:700;background:var(--na)}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}.v-flaky{background:var(--flaky)}
section.run{border:1px solid var(--line);border-left:6px solid var(--na);border-radius:4px;padding:.8em 1em;margin:1.2em 0}
section.r-pass{border-left-color:var(--pass)}section.r-fail{border-left-color:var(--fail)}section.r-flaky{border-left-color:var(--flaky)}
.failed{background:var(--box);border-radius:4px;padding:.3em .8em;margin:.5em 0}.failed ul{margin:.2em 0;padding-left:1.2em}
.msg{white-space:pre-wrap}.diag{font-weight:500}tr.c-fail td{background:var(--box)}
figure{margin:.6em 0}figure img{max-width:100%;height:auto;border:1px solid var(--line);background:#fff}
figcaption{color:var(--dim);font-size:.9em}
figure.audio audio{vertical-align:middle;width:28em;max-width:100%}ul.files{padding-left:1.2em}summary{cursor:pointer}
`;

export function renderPage(input: PageInput): string {
  const count = (v: string) => input.runs.filter((r) => r.verdict === v).length;
  const totals = ['pass', 'fail', 'flaky', 'unavailable', 'unknown']
    .map((v) => [v, count(v)] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');
  const allure = input.allureHref
    ? ` · <a href="${hrefOf(input.allureHref)}">the same results in Allure</a> (steps, timings, categories)`
    : '';
  const runs = [...input.runs].sort(byUrgency);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CONTENT_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(input.title)}</h1>
<p>${input.runs.length} run(s) from ${input.folders} results folder(s): ${esc(totals || 'none')}.
<span class="dim">Built ${esc(input.generatedAt.toISOString())}.</span>${allure}</p></header>
${overview(runs)}
${runs.map(runSection).join('\n')}
</body>
</html>
`;
}
