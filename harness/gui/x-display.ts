// A private X display for GUI targets: Xvfb on a display number it picks itself (-displayfd),
// so hilt never draws on the user's screen and parallel runs never collide.
import { HiltError } from '../errors.ts';
import { Child, stopChild } from '../proc/child.ts';
import { which } from '../proc/which.ts';
import { runTool } from '../watchdog/tool.ts';
import { watch } from '../watchdog/watchdog.ts';
import { now } from '../wait.ts';

export const GUI_TOOLS: Record<string, string> = { Xvfb: 'xvfb', xdotool: 'xdotool' };

export function requireGuiTools(): void {
  const missing = Object.keys(GUI_TOOLS).filter((t) => !which(t));
  if (!missing.length) return;
  throw new HiltError('RIG_MISSING', `GUI targets need ${missing.join(' and ')}, not installed`, {
    expected: 'Xvfb (a private X display) and xdotool (real X input events)',
    seen: `not on PATH: ${missing.join(', ')}`,
    hint: `sudo apt-get install -y ${missing.map((t) => GUI_TOOLS[t]).join(' ')}   (or run: npm run setup)`,
  });
}

export class XDisplay {
  private constructor(
    private readonly server: Child,
    readonly display: string,
    readonly startMs: number,
  ) {}

  get env(): Record<string, string> {
    return { DISPLAY: this.display };
  }

  static async start(deadlineMs = 5000): Promise<XDisplay> {
    requireGuiTools();
    const t0 = now();
    // -displayfd 1: Xvfb writes the number it chose on stdout once it accepts connections.
    const server = new Child('Xvfb', ['-displayfd', '1', '-screen', '0', '1024x768x24', '-nolisten', 'tcp', '-noreset'], { name: 'Xvfb' });
    const w = await watch(server, server.waitForLine(/^\d+$/), { what: 'Xvfb start', softMs: deadlineMs, stacks: false });
    if (w.outcome !== 'done') {
      await stopChild(server, 'SIGKILL', 1000);
      throw new HiltError('RIG_START', 'the private X display did not come up', {
        expected: `Xvfb to print its display number within ${deadlineMs} ms`,
        seen:
          `${w.outcome === 'exited' ? `it exited (${w.exit.exitCode ?? w.exit.signal})` : 'no display number'}\n` +
          `${server.outputTail(10)}`,
        hint: 'run Xvfb -displayfd 1 by hand to see why',
      });
    }
    return new XDisplay(server, `:${w.value.trim()}`, now() - t0);
  }

  // A real button press and release at root coordinates (what a user's click sends).
  async click(x: number, y: number): Promise<void> {
    await runTool('xdotool', ['mousemove', '--sync', String(Math.round(x)), String(Math.round(y)), 'click', '1'], {
      env: this.env,
      deadlineMs: 3000,
    });
  }

  // A window's title as the window manager would show it.
  async windowName(windowId: number): Promise<string> {
    return (await runTool('xdotool', ['getwindowname', String(windowId)], { env: this.env, deadlineMs: 3000 })).stdout.trim();
  }

  async stop(): Promise<void> {
    await stopChild(this.server, 'SIGTERM', 2000);
  }
}
