// The parser each platform's debugger names (Debugger.parser): one place maps the name to the code.
import type { StackParser } from '../platform/index.ts';
import { parseCdbStacks } from './cdb-stacks.ts';
import { parseGdbStacks, type Stacks } from './gdb-stacks.ts';
import { parseIpsStacks } from './ips-stacks.ts';
import { parseLldbStacks } from './lldb-stacks.ts';

export const STACK_PARSERS: Record<StackParser, (text: string) => Stacks> = {
  gdb: parseGdbStacks,
  lldb: parseLldbStacks,
  cdb: parseCdbStacks,
  ips: parseIpsStacks,
};

export const parseStacks = (parser: StackParser, text: string): Stacks => STACK_PARSERS[parser](text);
