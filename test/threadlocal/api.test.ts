import { describe, expect, expectTypeOf, it } from 'vitest';
import * as threadkit from 'threadkit';
import { ThreadLocal, isolate, local, type ThreadLocalOptions } from 'threadkit/threadlocal';

describe('bad input', () => {
  it('rejects a non-object options bag', () => {
    expect(() => new ThreadLocal(42 as never)).toThrow(/^Expected `options` to be an object, got 42$/);
    expect(() => local('x' as never)).toThrow(TypeError);
  });

  it.each([
    [{ initial: 5 }, /^Expected `initial` to be a function, got 5$/],
    [{ initial: null }, /^Expected `initial` to be a function, got null$/],
    [{ inheritable: 'yes' }, /^Expected `inheritable` to be a boolean, got "yes"$/],
    [{ name: 3 }, /^Expected `name` to be a string, got 3$/],
    [{ inheritable: true }, /^Expected `name` to be a non-empty string when `inheritable` is true/],
    [{ inheritable: true, name: '' }, /`name`.*got ""$/],
  ])('new ThreadLocal(%o) throws a TypeError naming the parameter', (options, message) => {
    expect(() => new ThreadLocal(options as never)).toThrow(TypeError);
    expect(() => new ThreadLocal(options as never)).toThrow(message);
  });

  it('local() checks inheritable', () => {
    expect(() => local({ inheritable: 1 } as never)).toThrow(
      /^Expected `inheritable` to be a boolean, got 1$/,
    );
  });

  it('refuses an unknown option key with a TypeError naming it', () => {
    expect(() => new ThreadLocal({ initialValue: () => 1 } as never)).toThrow(TypeError);
    expect(() => new ThreadLocal({ initialValue: () => 1 } as never)).toThrow(
      'Unknown option `initialValue` in `options` of new ThreadLocal() (known: inheritable, initial, name)',
    );
    expect(() => new ThreadLocal({ inital: () => 1 } as never)).toThrow(/did you mean `initial`\?/);
    expect(() => local({ inherit: true } as never)).toThrow(
      'Unknown option `inherit` in `options` of local() (known: inheritable)',
    );
    expect(new ThreadLocal({ initial: () => 1, inheritable: true, name: 'api.test.known' }).get()).toBe(1);
    const attrs = local<{ x?: number }>({ inheritable: false });
    attrs.x = 1;
    expect(attrs.x).toBe(1);
  });

  it('run() and isolate() require a function', () => {
    const tl = new ThreadLocal<number>();
    expect(() => tl.run(1, undefined as never)).toThrow(/^Expected `fn` to be a function, got undefined$/);
    expect(() => tl.run(1, 'x' as never)).toThrow(TypeError);
    expect(() => isolate({} as never)).toThrow(/^Expected `fn` to be a function, got an object$/);
  });
});

describe('public types', () => {
  it('ThreadLocal is generic in its value', () => {
    const tl = new ThreadLocal<number>({ initial: () => 1 });
    expectTypeOf(tl.get()).toEqualTypeOf<number | undefined>();
    expectTypeOf<Parameters<ThreadLocal<number>['set']>>().toEqualTypeOf<[value: number]>();
    expectTypeOf(tl.has()).toEqualTypeOf<boolean>();
    expectTypeOf(tl.run(1, () => 'r')).toEqualTypeOf<string>();
    expectTypeOf(tl.run(1, () => Promise.resolve('r'))).toEqualTypeOf<Promise<string>>();
    expectTypeOf(new ThreadLocal({ initial: () => 'x' })).toEqualTypeOf<ThreadLocal<string>>();
    expectTypeOf<ThreadLocalOptions<number>['initial']>().toEqualTypeOf<(() => number) | undefined>();
    // @ts-expect-error -- the value must have the local's type
    tl.set('nope');
  });

  it('local() returns the attribute type and isolate() what fn returns', () => {
    expectTypeOf(local<{ student?: string }>()).toEqualTypeOf<{ student?: string }>();
    expectTypeOf(isolate(() => 1)).toEqualTypeOf<number>();
    // @ts-expect-error -- local() needs an object type
    local<number>();
  });

  it('the root entry point re-exports the thread-local API', () => {
    expect(threadkit.ThreadLocal).toBe(ThreadLocal);
    expect(threadkit.local).toBe(local);
    expect(threadkit.isolate).toBe(isolate);
  });
});
