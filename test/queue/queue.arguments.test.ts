// put() and get() take no timeout: a JavaScript caller's `q.put(v, { timeoutMs })` would otherwise be
// ignored and block for ever on a full queue, so the extra argument throws and names the calls to use.
import { describe, expect, it } from 'vitest';
import { Queue } from 'threadkit/queue';

/** Calls a method with arguments its type does not allow, as untyped JavaScript can. */
function callLoosely(q: Queue<number>, method: 'put' | 'get', ...args: unknown[]): unknown {
  return (q[method] as (...a: unknown[]) => unknown).apply(q, args);
}

describe('Queue.put() and Queue.get(): no timeout argument', () => {
  it('put(value, options) throws a TypeError naming tryPut and putAsync, and puts nothing', () => {
    // Room for the value: without the check the put would succeed, ignoring its options (on a full
    // queue it would block for ever, which a test cannot show without hanging).
    const q = new Queue<number>(3);
    q.put(1);
    expect(() => callLoosely(q, 'put', 2, { timeoutMs: 50 })).toThrow(
      new TypeError(
        'Expected Queue.put() to be called with one argument, got 2 arguments: it takes no timeout; ' +
          'use tryPut(value, 100), or putAsync(value, { timeoutMs: 100 })',
      ),
    );
    expect(() => callLoosely(q, 'put', 2, 50)).toThrow(/tryPut\(value, 100\)/);
    expect(q.size).toBe(1);
  });

  it('get(options) throws a TypeError naming tryGet and getAsync, and takes nothing', () => {
    const q = new Queue<number>(2);
    q.put(7); // values there: without the check each get would take one, ignoring its options
    q.put(8);
    expect(() => callLoosely(q, 'get', { timeoutMs: 50 })).toThrow(
      new TypeError(
        'Expected Queue.get() to be called with no arguments, got 1 argument: it takes no timeout; ' +
          'use tryGet(100), or getAsync({ timeoutMs: 100 })',
      ),
    );
    expect(() => callLoosely(q, 'get', 50)).toThrow(TypeError);
    expect(q.size).toBe(2);
    expect(q.get()).toBe(7);
  });

  it('an explicit undefined counts too (it is an argument)', () => {
    const q = new Queue<number>(2);
    q.put(1);
    expect(() => callLoosely(q, 'put', 2, undefined)).toThrow(TypeError);
    expect(() => callLoosely(q, 'get', undefined)).toThrow(TypeError);
  });
});
