// Type tests (checked by `tsc --noEmit`): Once.run takes only a synchronous fn, as at run time.
import { describe, expectTypeOf, it } from 'vitest';
import { Once } from '../../src/once/index.js';

describe('Once types', () => {
  it('run takes a sync fn of any result and refuses a Promise-returning one; runAsync takes both', () => {
    const o = new Once();
    const typeOnly = () => {
      expectTypeOf(o.run(() => {})).toEqualTypeOf<boolean>();
      expectTypeOf(o.run(() => 1)).toEqualTypeOf<boolean>();
      expectTypeOf(o.run((): unknown => 1)).toEqualTypeOf<boolean>();
      expectTypeOf(o.runAsync(async () => {})).toEqualTypeOf<Promise<boolean>>();
      expectTypeOf(o.runAsync(() => 1)).toEqualTypeOf<Promise<boolean>>();
      // @ts-expect-error an async fn: run() cannot wait for it (use runAsync)
      o.run(async () => {});
      // @ts-expect-error a fn returning a Promise
      o.run(() => Promise.resolve());
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
