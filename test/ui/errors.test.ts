// The page's error text: a worker's failure as Comlink rebuilds it, and cancellation known by name only.
import { expect, it } from 'vitest';
import { errorMessage, isCancelled } from '../../src/ui/errors';

/** What Comlink throws on the page for an Error thrown in a worker (its throw transfer handler). */
const overComlink = (e: Error) => Object.assign(new Error(e.message), { message: e.message, name: e.name, stack: e.stack });

const aborted = (): Error => {
  const c = new AbortController();
  c.abort();
  try {
    c.signal.throwIfAborted();
  } catch (e) {
    return e as Error;
  }
  throw new Error('throwIfAborted did not throw');
};

it('shows an error by its message, anything else as a string', () => {
  expect(errorMessage(new Error('V.pt: bad CRC'))).toBe('V.pt: bad CRC');
  expect(errorMessage(overComlink(new TypeError('x is not a function')))).toBe('x is not a function');
  expect(errorMessage('plain text')).toBe('plain text');
  expect(errorMessage(null)).toBe('null');
  expect(errorMessage(undefined)).toBe('undefined');
});

it('recognises a cancelled job by the AbortError name, in the worker and after Comlink', () => {
  expect(isCancelled(aborted())).toBe(true);
  expect(isCancelled(overComlink(aborted()))).toBe(true);
  // A failure whose message merely mentions aborting is shown as the failure it is.
  expect(isCancelled(new Error('session run aborted: out of memory'))).toBe(false);
  expect(isCancelled(null)).toBe(false);
  expect(isCancelled('AbortError')).toBe(false);
});
