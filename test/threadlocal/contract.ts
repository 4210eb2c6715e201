// The synchronous contract of thread-locals, run against every variant: the built package (backed by
// AsyncLocalStorage) and the source built on the synchronous fallback (what browsers get).
import { describe, expect, it, vi } from 'vitest';

/** The public API, structurally (so that the built package and the source both fit). */
interface ThreadLocalLike<T> {
  get(): T | undefined;
  set(value: T): void;
  has(): boolean;
  delete(): void;
  run<R>(value: T, fn: () => R): R;
}
export interface ThreadLocalKit {
  ThreadLocal: (new <T>(options?: {
    initial?: () => T;
    inheritable?: boolean;
    name?: string;
  }) => ThreadLocalLike<T>) & {
    bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  };
  local: <T extends object>(options?: { inheritable?: boolean }) => T;
  isolate: <R>(fn: () => R) => R;
}

export function threadLocalContract(variant: string, kit: ThreadLocalKit): void {
  const { ThreadLocal, local, isolate } = kit;

  describe(`ThreadLocal contract (${variant})`, () => {
    it('has no value until one is set; set/get/has/delete work at top level', () => {
      const tl = new ThreadLocal<string>();
      expect(tl.get()).toBeUndefined();
      expect(tl.has()).toBe(false);
      tl.set('root');
      expect(tl.get()).toBe('root');
      expect(tl.has()).toBe(true);
      tl.delete();
      expect(tl.has()).toBe(false);
      expect(tl.get()).toBeUndefined();
    });

    it('stores undefined as a value', () => {
      const tl = new ThreadLocal<string | undefined>({ initial: () => 'init' });
      tl.set(undefined);
      expect(tl.has()).toBe(true);
      expect(tl.get()).toBeUndefined();
    });

    it('run() scopes a value, returns what fn returns, and restores on return and on throw', () => {
      const tl = new ThreadLocal<string>();
      tl.set('outer');
      expect(tl.run('inner', () => tl.get())).toBe('inner');
      expect(tl.get()).toBe('outer');
      expect(() =>
        tl.run('inner', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(tl.get()).toBe('outer');
    });

    it('nested runs shadow and restore', () => {
      const tl = new ThreadLocal<number>();
      const seen: (number | undefined)[] = [];
      tl.run(1, () => {
        seen.push(tl.get());
        tl.run(2, () => {
          seen.push(tl.get());
          tl.run(3, () => seen.push(tl.get()));
          seen.push(tl.get());
        });
        seen.push(tl.get());
      });
      seen.push(tl.get());
      expect(seen).toEqual([1, 2, 3, 2, 1, undefined]);
    });

    it('run() of one local keeps the current values of the others', () => {
      const a = new ThreadLocal<string>();
      const b = new ThreadLocal<string>();
      b.set('b-root');
      expect(a.run('a', () => [a.get(), b.get()])).toEqual(['a', 'b-root']);
    });

    it('set() inside a scope changes that scope only; at top level it sets the root value', () => {
      const a = new ThreadLocal<string>();
      const b = new ThreadLocal<string>();
      a.set('root');
      a.run('scoped', () => {
        a.set('changed');
        b.set('b-in-scope');
        expect(a.get()).toBe('changed');
        a.run('nested', () => a.set('nested-changed'));
        expect(a.get()).toBe('changed');
      });
      expect(a.get()).toBe('root');
      expect(b.has()).toBe(false);
    });

    it('delete() inside a scope leaves the outer value', () => {
      const tl = new ThreadLocal<string>();
      tl.set('root');
      tl.run('scoped', () => {
        tl.delete();
        expect(tl.has()).toBe(false);
      });
      expect(tl.get()).toBe('root');
    });

    it('initial() runs lazily, once per context, and not for has()', () => {
      const initial = vi.fn(() => ({ n: 0 }));
      const tl = new ThreadLocal({ initial });
      expect(initial).not.toHaveBeenCalled();
      expect(tl.has()).toBe(false);
      expect(initial).not.toHaveBeenCalled();
      const first = tl.get();
      expect(tl.get()).toBe(first);
      expect(tl.has()).toBe(true);
      expect(initial).toHaveBeenCalledTimes(1);
      // A scope entered after the root has its value starts from a copy of it: no new call.
      isolate(() => expect(tl.get()).toBe(first));
      expect(initial).toHaveBeenCalledTimes(1);
      // After delete(), or in a fresh context without a value, initial() runs again.
      tl.delete();
      isolate(() => {
        const inner = tl.get();
        expect(inner).not.toBe(first);
        expect(tl.get()).toBe(inner);
      });
      expect(initial).toHaveBeenCalledTimes(2);
    });

    it('a throwing initial() stores nothing and runs again next time', () => {
      let calls = 0;
      const tl = new ThreadLocal<number>({
        initial: () => {
          if (++calls === 1) throw new Error('first');
          return calls;
        },
      });
      expect(() => tl.get()).toThrow('first');
      expect(tl.has()).toBe(false);
      expect(tl.get()).toBe(2);
    });

    it('isolate() copies every local from the current values and keeps changes inside', () => {
      const a = new ThreadLocal<string>();
      const b = new ThreadLocal<string>();
      a.set('a');
      const result = isolate(() => {
        expect(a.get()).toBe('a');
        a.set('a-inside');
        b.set('b-inside');
        a.delete();
        return 42;
      });
      expect(result).toBe(42);
      expect(a.get()).toBe('a');
      expect(b.has()).toBe(false);
    });

    it('local() attributes are thread-locals with in/delete/keys', () => {
      const school = local<{ student?: string; grade?: number }>();
      expect(school.student).toBeUndefined();
      expect('student' in school).toBe(false);
      school.student = 'Alice';
      expect(school.student).toBe('Alice');
      expect('student' in school).toBe(true);
      expect(Object.keys(school)).toEqual(['student']);
      isolate(() => {
        school.student = 'Bob';
        school.grade = 3;
        expect({ ...school }).toEqual({ student: 'Bob', grade: 3 });
      });
      expect(JSON.stringify(school)).toBe('{"student":"Alice"}');
      expect(delete school.student).toBe(true);
      expect('student' in school).toBe(false);
      expect(Object.keys(school)).toEqual([]);
    });

    it('local() objects are independent of each other', () => {
      const a = local<{ x?: number }>();
      const b = local<{ x?: number }>();
      a.x = 1;
      expect(b.x).toBeUndefined();
    });

    it('ThreadLocal.bind() runs a callback in the context it was bound in, wherever it is called', () => {
      const tl = new ThreadLocal<string>();
      const other = new ThreadLocal<number>();
      const seen: [string | undefined, number | undefined][] = [];
      const bound = tl.run('bound', () =>
        other.run(1, () => ThreadLocal.bind(() => seen.push([tl.get(), other.get()]))),
      );
      bound();
      tl.run('caller', () => other.run(2, bound));
      isolate(bound);
      expect(seen).toEqual([
        ['bound', 1],
        ['bound', 1],
        ['bound', 1],
      ]);
      expect(tl.get()).toBeUndefined(); // the caller's context is back after each call
    });

    it('ThreadLocal.bind() passes this, arguments and the result through; set() inside changes the bound scope', () => {
      const tl = new ThreadLocal<string>();
      let read: (() => string | undefined) | undefined;
      const setter = tl.run('before', () => {
        read = () => tl.get();
        return ThreadLocal.bind(function (this: { k: string }, suffix: string) {
          tl.set(this.k + suffix);
          return tl.get();
        });
      });
      const boundRead = tl.run('x', () => ThreadLocal.bind(() => tl.get()));
      expect(setter.call({ k: 'after' }, '!')).toBe('after!');
      expect(tl.get()).toBeUndefined();
      expect(read?.()).toBeUndefined(); // read is not bound: it sees the caller's (root) context
      expect(boundRead()).toBe('x'); // another scope is untouched
      expect(tl.run('y', () => setter.call({ k: 'again' }, '?'))).toBe('again?');
    });

    it('ThreadLocal.bind() keeps length and names the result as Function.prototype.bind does', () => {
      function listener(_a: string, _b: number): void {}
      const bound = ThreadLocal.bind(listener);
      expect([bound.length, bound.name]).toEqual([2, 'bound listener']);
      expect([bound.length, bound.name]).toEqual([listener.bind(null).length, listener.bind(null).name]);
      const anonymous = ThreadLocal.bind((_x: unknown) => {});
      expect([anonymous.length, anonymous.name]).toEqual([1, 'bound ']);
    });

    it('ThreadLocal.bind() rejects a non-function with a TypeError naming fn', () => {
      for (const bad of [undefined, null, 1, 'f', {}]) {
        expect(() => ThreadLocal.bind(bad as never)).toThrow(TypeError);
        expect(() => ThreadLocal.bind(bad as never)).toThrow(/fn/);
      }
    });
  });
}
