/* eslint-disable @typescript-eslint/require-await -- async functions here only give their types */
// Type tests (checked by `tsc --noEmit`): waitFor/waitForAsync take only a synchronous predicate, as
// at run time (a Promise is truthy: the wait would end before the condition was checked).
import { describe, expectTypeOf, it } from 'vitest';
import { Condition } from '../../src/condition/index.js';
import { Mutex, type MutexGuard } from '../../src/mutex/index.js';

describe('Condition types', () => {
  it('waitFor and waitForAsync infer the predicate’s result and refuse a Promise-returning one', () => {
    const c = new Condition(new Mutex());
    const typeOnly = (g: MutexGuard, items: string[]) => {
      expectTypeOf(c.waitFor(g, () => items.length > 0)).toEqualTypeOf<boolean>();
      expectTypeOf(c.waitFor(g, () => items[0], 10)).toEqualTypeOf<string | undefined>();
      expectTypeOf(c.waitForAsync(g, () => items.length)).toEqualTypeOf<Promise<number>>();
      expectTypeOf(c.waitForAsync(g, () => items[0], { timeoutMs: 10 })).toEqualTypeOf<
        Promise<string | undefined>
      >();
      // @ts-expect-error an async predicate
      void c.waitFor(g, async () => items.length > 0);
      // @ts-expect-error an async predicate
      void c.waitForAsync(g, async () => items.length > 0);
      // @ts-expect-error a predicate returning a Promise
      void c.waitForAsync(g, () => Promise.resolve(true));
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
