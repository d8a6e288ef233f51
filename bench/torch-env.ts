// The PyTorch baseline's Python: a venv in bench/out/venv with the CPU torch wheel from the local wheel
// directory (no network). Returns the interpreter, or the reason PyTorch is unavailable.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const WHEELS = '/opt/wheels';

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function torchPython(venv: string): { python: string } | { unavailable: string } {
  const python = path.join(venv, 'bin/python');
  try {
    if (!existsSync(python)) {
      const wheel = existsSync(WHEELS) && readdirSync(WHEELS).find((f) => /^torch-.*cpu.*\.whl$/.test(f));
      if (!wheel) return { unavailable: `no CPU torch wheel in ${WHEELS}` };
      // torch's own dependencies (typing_extensions, sympy, …) come from the system site-packages: the
      // local wheel directory lacks some (filelock, fsspec) and eager CPU runs never import those.
      sh('python3', ['-m', 'venv', '--system-site-packages', venv]);
      sh(path.join(venv, 'bin/pip'), ['install', '-q', '--no-index', '--no-deps', path.join(WHEELS, wheel)]);
    }
    sh(python, ['-c', 'import torch, numpy']);
    return { python };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const reason = (err.stderr || err.message).trim().split('\n').slice(-1)[0];
    return { unavailable: `PyTorch could not be set up in ${venv}: ${reason}` };
  }
}

export const torchVersion = (python: string): string =>
  sh(python, ['-c', 'import torch; print(torch.__version__)']).trim();
