// Files Allure reads beside the results: categories.json (how failures are grouped: orphan,
// hang, crash, deadline, rig unavailable) and environment.properties (where the run ran).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from './summary.ts';

// Regexes in a form both Allure 2 (Java) and Allure 3 (JavaScript) read: [\s\S] rather than (?s).
export const CATEGORIES = [
  {
    name: 'orphan: something of the target left on the server or running',
    messageRegex: '[\\s\\S]*(orphan|escaped|still running|left)[\\s\\S]*',
    matchedStatuses: ['failed'],
  },
  {
    name: 'hang: a stop or a wait that never ended',
    messageRegex: '[\\s\\S]*(hang|hung|ignored for)[\\s\\S]*',
    matchedStatuses: ['failed', 'broken'],
  },
  {
    name: 'crash: the target died of a signal or a fault',
    messageRegex: '[\\s\\S]*(crash|SIGSEGV|SIGABRT|access violation|Fatal)[\\s\\S]*',
    matchedStatuses: ['failed'],
  },
  { name: 'deadline: too slow', messageRegex: '[\\s\\S]*(deadline|within|too slow|after \\d+ ms)[\\s\\S]*', matchedStatuses: ['failed'] },
  { name: 'rig unavailable: a part of the rig is missing', matchedStatuses: ['skipped'] },
  { name: 'hilt itself broke (a test defect, not the product)', matchedStatuses: ['broken'] },
];

export function environmentProperties(s: Summary): string {
  const p = s.platform;
  const rows: [string, string][] = [
    ['hilt', s.hiltVersion],
    ['os', `${p.os} ${p.kernel} ${p.arch}`],
    ['cpus', String(p.cpus)],
    ['audio.server', p.audioServer ? `${p.audioServer.name} ${p.audioServer.version}` : 'unknown'],
    ['rig', s.rig],
    ['target', s.target],
  ];
  return rows.map(([k, v]) => `${k}=${v.replace(/[\\\n]/g, ' ')}`).join('\n') + '\n';
}

export function writeAllureFiles(resultsDir: string, summaries: Summary[]): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'categories.json'), JSON.stringify(CATEGORIES, null, 2) + '\n');
  if (summaries[0]) writeFileSync(join(resultsDir, 'environment.properties'), environmentProperties(summaries[0]));
}
