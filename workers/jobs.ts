// One job per device: generation, inversion and direction discovery share the GPU (and its memory), so the
// engine worker runs one kind at a time. Another kind is refused with a BusyError (recognised by its name on
// the page); a job of the running kind waits for it, or, with `replace`, cancels it first. Every job is
// cancelled the same way: through the AbortSignal it is given.

export type JobKind = 'generation' | 'inversion' | 'directions';

const NAMES: Record<JobKind, string> = { generation: 'a generation', inversion: 'an inversion', directions: 'a direction discovery' };

export class BusyError extends Error {
  override name = 'BusyError';
  constructor(readonly running: JobKind, readonly refused: JobKind) {
    super(`${NAMES[running]} is running on the device: wait for it or cancel it before starting ${NAMES[refused]}`);
  }
}

interface Running {
  kind: JobKind;
  controller: AbortController;
  done: Promise<unknown>;
}

export class JobGate {
  private current?: Running;

  /** The kind of job running now, if any. */
  get running(): JobKind | undefined {
    return this.current?.kind;
  }

  /** Throws a BusyError when a job of another kind runs (a caller's check before it changes anything). */
  admit(kind: JobKind): void {
    if (this.current && this.current.kind !== kind) throw new BusyError(this.current.kind, kind);
  }

  /** Runs `fn` as the device's job of `kind` (see the file comment); resolves or rejects as `fn` does. */
  async run<T>(kind: JobKind, fn: (signal: AbortSignal) => Promise<T>, opts: { replace?: boolean } = {}): Promise<T> {
    for (let c = this.current; c; c = this.current) {
      this.admit(kind);
      if (opts.replace) c.controller.abort();
      await c.done.catch(() => undefined);
    }
    const controller = new AbortController();
    const done = Promise.resolve().then(() => fn(controller.signal));
    const me: Running = { kind, controller, done };
    this.current = me;
    try {
      return await done;
    } finally {
      if (this.current === me) this.current = undefined;
    }
  }

  /** Cancels the running job (only if it is of `kind`, when given). */
  cancel(kind?: JobKind): void {
    if (this.current && (!kind || this.current.kind === kind)) this.current.controller.abort();
  }
}
