// Every class the package exports keeps its own name in every build: bundling, esbuild renames a class
// that refers to itself in its body (`class _Mutex`) unless tsup.config.ts names it back, and that name
// shows in `constructor.name`, in stack frames and in messages such as "Cannot set property size of
// #<_ThreadPool>".
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as esm from 'threadkit';

const builds: Record<string, Record<string, unknown>> = {
  esm,
  cjs: createRequire(import.meta.url)('threadkit') as Record<string, unknown>,
  browser: (await import(new URL('../dist/browser/index.js', import.meta.url).href)) as Record<
    string,
    unknown
  >,
};

const isClass = (value: unknown): value is () => unknown =>
  typeof value === 'function' && Function.prototype.toString.call(value).startsWith('class');

describe.each(Object.keys(builds))('the %s build', (build) => {
  const classes = Object.entries(builds[build]!).filter((entry): entry is [string, () => unknown] =>
    isClass(entry[1]),
  );

  it('exports the classes of every module', () => {
    const names = classes.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['Mutex', 'Thread', 'ThreadPool', 'ThreadLocal', 'Queue']));
  });

  it.each(classes)('%s.name, and the name the engine reports, is its export name', (name, value) => {
    expect(value.name).toBe(name);
    // The engine's own name for the class (what #<…> and stack frames show), not the `name` property.
    expect(() => Reflect.apply(value, undefined, [])).toThrow(`Class constructor ${name} cannot be invoked`);
  });
});
