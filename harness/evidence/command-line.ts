// A debugger's argv as a person would type it into a shell: the report shows how to rerun it.
const quote = (a: string) => (/[\s;*~]/.test(a) ? `"${a}"` : a);

export const commandLine = (tool: string, args: string[]): string => [tool, ...args].map(quote).join(' ');
