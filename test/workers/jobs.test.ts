import { describe, expect, it } from 'vitest';
import { BusyError, JobGate, type JobKind } from '../../workers/jobs';

/** A job that runs until released (or aborted), recording what happened to it. */
function pending(log: string[], name: string) {
  let release!: (v: string) => void;
  const job = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      log.push(`${name} start`);
      release = (v) => resolve(v);
      signal.addEventListener('abort', () => {
        log.push(`${name} aborted`);
        reject(new DOMException('cancelled', 'AbortError'));
      });
    });
  return { job, release: (v: string) => release(v) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A gate with one job of `kind` started and still running. */
async function gateRunning(kind: JobKind, name: string) {
  const gate = new JobGate();
  const log: string[] = [];
  const p = pending(log, name);
  const run = gate.run(kind, p.job);
  await tick();
  return { gate, log, run, release: p.release };
}

describe('JobGate: one job per device', () => {
  it('refuses another kind while a job runs, with a BusyError naming both', async () => {
    const { gate, log, run: running, release } = await gateRunning('inversion', 'inversion');
    expect(gate.running).toBe('inversion');
    expect(() => gate.admit('directions')).toThrow(BusyError);
    expect(() => gate.admit('inversion')).not.toThrow();
    const refused = await gate.run('generation', async () => 'image').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as Error).name).toBe('BusyError');
    expect((refused as Error).message).toBe('an inversion is running on the device: wait for it or cancel it before starting a generation');
    release('coef');
    expect(await running).toBe('coef');
    expect(gate.running).toBeUndefined();
    expect(await gate.run('generation', async () => 'image')).toBe('image');
    expect(log).toEqual(['inversion start']);
  });

  it('queues a job of the running kind; with replace, cancels the running one first', async () => {
    const gate = new JobGate();
    const log: string[] = [];
    const a = pending(log, 'a');
    const b = pending(log, 'b');
    const first = gate.run('directions', a.job);
    await tick();
    const second = gate.run('directions', b.job);
    await tick();
    expect(log).toEqual(['a start']); // b waits
    a.release('A');
    expect(await first).toBe('A');
    await tick();
    expect(log).toEqual(['a start', 'b start']);
    const c = pending(log, 'c');
    const third = gate.run('directions', c.job, { replace: true });
    expect(await second.catch((e: Error) => e.name)).toBe('AbortError');
    await tick();
    c.release('C');
    expect(await third).toBe('C');
    expect(log).toEqual(['a start', 'b start', 'b aborted', 'c start']);
  });

  it('cancel aborts the running job through its signal; by kind only that kind', async () => {
    const { gate, log, run } = await gateRunning('generation', 'gen');
    gate.cancel('inversion');
    expect(log).toEqual(['gen start']);
    gate.cancel();
    expect(await run.catch((e: Error) => e.name)).toBe('AbortError');
    expect(log).toEqual(['gen start', 'gen aborted']);
    expect(gate.running).toBeUndefined();
  });
});
