// Runs build-space in-process as the CLI does, capturing what it prints (stdout lines; progress on stderr dropped).
import { vi } from 'vitest';
import { buildSpaceCommand } from '../../src/cli/build-space';

/** Runs the command in-process; returns what it printed. */
export async function build(...argv: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildSpaceCommand(argv);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines.join('\n');
}

