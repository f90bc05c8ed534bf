import { describe, expect, it } from 'vitest';
import { CATEGORIES } from './allure-files.ts';

const categoryOf = (status: string, message: string): string | undefined =>
  CATEGORIES.find(
    (c) => c.matchedStatuses.includes(status) && (!c.messageRegex || new RegExp(`^${c.messageRegex}$`).test(message)),
  )?.name.split(':')[0];

describe('Allure categories', () => {
  it('sort real diagnoses (multi-line ones too) into orphan, hang, crash, deadline and rig unavailable', () => {
    expect(categoryOf('failed', 'pactl-app (pid 1) after SIGKILL:\norphan: pulse module module-null-sink')).toBe('orphan');
    expect(categoryOf('failed', 'hang: python3 stop\nSIGTERM was ignored for 1000 ms')).toBe('hang');
    expect(categoryOf('failed', 'app (pid 3) died of SIGSEGV (crash)')).toBe('crash');
    expect(categoryOf('failed', 'exit-deadline: process gone within its deadline: 2400 ms')).toBe('deadline');
    expect(categoryOf('skipped', 'unavailable: needs pipewire-jack')).toBe('rig unavailable');
    expect(categoryOf('broken', 'TypeError: x is undefined')).toBe('hilt itself broke (a test defect, not the product)');
  });
});
