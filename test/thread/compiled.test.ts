// Thread functions as compilers emit them. TypeScript and esbuild (tsx, tsup, bundlers) lower syntax
// such as `using`, object rest and async functions into calls of helpers defined at the top of the
// emitted file, and tsc's "module": "commonjs" turns `await import(x)` into `require(x)`: a function
// shipped as source must find all of these in its thread (src/thread/compiler-helpers.ts). One program
// is compiled here with the real compilers, each way users do, into a temporary app folder that
// imports the built package by name; each case runs on the main thread (the compiled file's own
// helpers) and in a thread, and both must give the expected result.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { spawn } from 'threadkit/thread';
import { watchdog } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The program: cases as top-level functions (so that the compiler lowers them), then a runner. */
const PROGRAM = `
import { Mutex } from 'threadkit/mutex';
import { spawn, ThreadPool } from 'threadkit/thread';

const usingReleases = (m: Mutex) => {
  {
    using g = m.lock();
    if (!m.isHeldByCurrentThread) return 'not held';
  }
  let threw = '';
  try {
    using g = m.lock();
    throw new Error('boom');
  } catch (e) {
    threw = (e as Error).message;
  }
  return [threw, m.isLocked];
};

const awaitUsingAwaits = async () => {
  const log: string[] = [];
  {
    await using r = {
      async [Symbol.asyncDispose]() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push('async disposed');
      },
    };
    using s = { [Symbol.dispose]: () => void log.push('sync disposed') };
    await using n = null;
    log.push('body');
  }
  log.push('after');
  return log;
};

const suppressed = () => {
  try {
    using a = { [Symbol.dispose]() { throw new Error('a'); } };
    using b = { [Symbol.dispose]() { throw new Error('b'); } };
    throw new Error('body');
  } catch (e: any) {
    return [e.name, e.error.message, e.suppressed.name, e.suppressed.error.message, e.suppressed.suppressed.message];
  }
};

const asyncSuppressed = async () => {
  try {
    await using a = { async [Symbol.asyncDispose]() { await null; throw new Error('async a'); } };
    throw new Error('body');
  } catch (e: any) {
    return [e.name, e.error.message, e.suppressed.message];
  }
};

const disposalOrder = async () => {
  const log: string[] = [];
  try {
    using a = { [Symbol.dispose]: () => void log.push('a') };
    await using b = { [Symbol.dispose]: () => void log.push('b (sync, awaited)') };
    using c = { [Symbol.dispose]: () => void log.push('c') };
    using d = 1 as unknown as Disposable;
  } catch (e) {
    log.push((e as Error).name);
  }
  return log;
};

const rest = ({ a, ...others }: Record<string, number>) => {
  const { b, ...more } = others;
  return [a, b, more];
};

// A computed key beside object rest: esbuild below es2018 converts it with \`__restKey\`.
const restKey = () => {
  const s = Symbol('s');
  const o: any = { 1: 'one', b: 2, [s]: 3 };
  const pick = (k: PropertyKey) => {
    const { [k]: v, ...rest } = o;
    return [v, Object.keys(rest), Object.getOwnPropertySymbols(rest).length];
  };
  return [pick(1), pick(s)];
};

const asyncFn = async function (this: unknown, x: number) {
  const y = await Promise.resolve(x);
  return [y * 2, arguments.length];
};

const imports = async () => {
  const { Mutex } = await import('threadkit/mutex');
  const dep = await import('./dep.cjs');
  return [typeof Mutex.from, dep.triple(5)];
};

const requires = () => [require('node:os').EOL.length, require('./dep.cjs').triple(4)];

async function main() {
  const out: Record<string, unknown> = {};
  const pool = new ThreadPool({ size: 1 });
  const cases: [string, (...args: any[]) => unknown, () => unknown[]][] = [
    ['usingReleases', usingReleases, () => [new Mutex()]],
    ['awaitUsingAwaits', awaitUsingAwaits, () => []],
    ['suppressed', suppressed, () => []],
    ['asyncSuppressed', asyncSuppressed, () => []],
    ['disposalOrder', disposalOrder, () => []],
    ['rest', rest, () => [{ a: 1, b: 2, c: 3 }]],
    ['restKey', restKey, () => []],
    ['asyncFn', asyncFn, () => [21]],
    ['imports', imports, () => []],
    ['requires', requires, () => []],
  ];
  for (const [name, fn, args] of cases) {
    let here: unknown;
    try {
      here = await fn(...args());
    } catch (e) {
      here = { error: String(e) };
    }
    let thread: unknown;
    try {
      thread = await pool.run(fn, { args: args() });
    } catch (e) {
      thread = { error: (e as Error).message };
    }
    out[name] = { main: here, thread };
  }
  // Seen from the main thread while the pool's worker lives on: the lock was released.
  const m = new Mutex();
  const held = await pool.run((m: Mutex) => { using g = m.lock(); return m.isHeldByCurrentThread; }, { args: [m] });
  out.poolReturn = [held, m.isLocked];
  const threw = await pool
    .run((m: Mutex) => { using g = m.lock(); throw new Error('boom'); }, { args: [m] })
    .catch((e: Error) => e.message);
  out.poolThrow = [threw, m.isLocked];
  // A SuppressedError thrown out of the thread keeps \`error\` and \`suppressed\`.
  const e: any = await pool
    .run(() => {
      using a = { [Symbol.dispose]() { throw new Error('a'); } };
      throw new Error('body');
    })
    .catch((e: unknown) => e);
  out.thrownSuppressed = [e.name, e.error?.message, e.suppressed?.message];
  out.spawned = await spawn(awaitUsingAwaits).join();
  await pool.close();
  console.log(JSON.stringify(out));
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
`;

/** What each case gives, on either thread. */
const EXPECTED = {
  usingReleases: ['boom', false],
  awaitUsingAwaits: ['body', 'sync disposed', 'async disposed', 'after'],
  suppressed: ['SuppressedError', 'a', 'SuppressedError', 'b', 'body'],
  asyncSuppressed: ['SuppressedError', 'async a', 'body'],
  disposalOrder: ['c', 'b (sync, awaited)', 'a', 'TypeError'],
  rest: [1, 2, { c: 3 }],
  restKey: [
    ['one', ['b'], 1],
    [3, ['1', 'b'], 0],
  ],
  asyncFn: [42, 1],
  imports: ['function', 15],
  requires: [1, 12],
};

/** How the program is compiled: the emitted file's name (its extension sets its module kind) and code. */
interface Build {
  readonly file: string;
  readonly code: string;
}

const tsc = (target: ts.ScriptTarget, module: ts.ModuleKind, file: string, source = PROGRAM): Build => ({
  file,
  code: ts.transpileModule(source, {
    fileName: file.replace(/\.([cm])js$/, '.$1ts'),
    compilerOptions: { target, module, esModuleInterop: true },
  }).outputText,
});

// tsx runs files through esbuild's transform with keepNames (which adds `__name` calls).
const esbuild = (target: string, format: 'esm' | 'cjs', file: string): Build => ({
  file,
  code: transformSync(PROGRAM, { loader: 'ts', format, target, keepNames: true }).code,
});

const { ScriptTarget: T, ModuleKind: M } = ts;
const BUILDS: Record<string, () => Build> = {
  'tsc es2022 nodenext': () => tsc(T.ES2022, M.NodeNext, 'tsc-es2022-nodenext.mjs'),
  'tsc es2022 commonjs': () => tsc(T.ES2022, M.CommonJS, 'tsc-es2022-commonjs.cjs'),
  'tsc es2017 (__rest)': () => tsc(T.ES2017, M.ES2022, 'tsc-es2017.mjs'),
  'tsc es2016 commonjs (__awaiter)': () => tsc(T.ES2016, M.CommonJS, 'tsc-es2016-commonjs.cjs'),
  'esbuild node20 (tsx)': () => esbuild('node20', 'esm', 'esbuild-node20.mjs'),
  'esbuild node20 cjs (tsx)': () => esbuild('node20', 'cjs', 'esbuild-node20.cjs'),
  'esbuild es2016 (__async, __objRest)': () => esbuild('es2016', 'esm', 'esbuild-es2016.mjs'),
};

/**
 * Function names that tsc sets with `__setFunctionName` (and computed keys it converts with
 * `__propKey`): a class expression with static fields below es2022, an anonymous function in `using`
 * below ESNext. Not in PROGRAM: esbuild lowers static fields with a helper threads are not given.
 */
const NAMES = 'tsc es2017 (__setFunctionName, __propKey)';
const NAMES_PROGRAM = `
import { ThreadPool } from 'threadkit/thread';
const names = () => {
  const C = class { static x = 1; };
  const s = Symbol('tag');
  const o: any = { [s]: class { static x = 1; }, [Symbol()]: class { static x = 1; }, [2]: class { static x = 1; } };
  const d = Object.getOwnPropertyDescriptor(C, 'name')!;
  let disposing = '';
  try {
    using f = (() => {}) as unknown as Disposable;
  } catch (e) {
    disposing = (e as Error).name;
  }
  return [C.name, d.configurable, d.writable, d.enumerable, ...Object.getOwnPropertySymbols(o).map((k) => o[k].name), o[2].name, disposing];
};
const pool = new ThreadPool({ size: 1 });
pool.run(names).then(
  async (thread) => {
    await pool.close();
    console.log(JSON.stringify({ main: names(), thread }));
  },
  async (e) => {
    await pool.close();
    console.log(JSON.stringify({ main: names(), thread: { error: e.message } }));
  },
);`;

/** A helper threads are not given: tsc's `__generator`, for async functions compiled to ES5. */
const ES5 = 'tsc es5 commonjs';
const ES5_PROGRAM = `
import { Mutex } from 'threadkit/mutex';
import { spawn } from 'threadkit/thread';
spawn(async () => 1).join().then(
  () => console.log(JSON.stringify({ message: 'no error' })),
  (e) => console.log(JSON.stringify({ message: e.message })),
);`;

let app = '';
/** Each build's run, started together in beforeAll (they take ~0.5 s each, mostly starting workers). */
const runs = new Map<string, Promise<Record<string, unknown> | Error>>();
/** Each build's file name: `.mjs` for an ES module. */
const files = new Map<string, string>();

beforeAll(() => {
  app = realpathSync(mkdtempSync(join(tmpdir(), 'threadkit-compiled-')));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(REPO, join(app, 'node_modules/threadkit'), 'junction');
  writeFileSync(join(app, 'dep.cjs'), 'exports.triple = (n) => n * 3;\n');
  for (const [name, compile] of [
    ...Object.entries(BUILDS),
    [ES5, () => tsc(T.ES5, M.CommonJS, 'tsc-es5.cjs', ES5_PROGRAM)] as const,
    [NAMES, () => tsc(T.ES2017, M.ES2022, 'tsc-es2017-names.mjs', NAMES_PROGRAM)] as const,
  ]) {
    const build = compile();
    files.set(name, build.file);
    // Settled to a value: a failure is reported by its own test, never as an unhandled rejection.
    runs.set(
      name,
      run(build).catch((err: unknown) => err as Error),
    );
  }
});

afterAll(async () => {
  await Promise.all(runs.values());
  if (app) rmSync(app, { recursive: true, force: true });
});

/** Writes `build` into the app folder, runs it, and returns what it printed (parsed). */
function run(build: Build): Promise<Record<string, unknown>> {
  writeFileSync(join(app, build.file), build.code);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(app, build.file)],
      { cwd: app, timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${build.file} failed: ${stderr}`, { cause: err }));
        else resolve(JSON.parse(stdout) as Record<string, unknown>);
      },
    );
  });
}

describe('thread functions as compilers emit them', () => {
  it.each(Object.keys(BUILDS))('%s', async (name) => {
    const out = await runs.get(name)!;
    if (out instanceof Error) throw out;
    const esm = files.get(name)!.endsWith('.mjs');
    for (const [key, expected] of Object.entries(EXPECTED)) {
      const { main, thread } = out[key] as { main: unknown; thread: unknown };
      expect({ [key]: thread }).toEqual({ [key]: expected });
      // An ES module has no `require` of its own; in a thread, the function gets its file's.
      if (key === 'requires' && esm) expect(main).toHaveProperty('error');
      else expect({ [key]: main }).toEqual({ [key]: expected });
    }
    expect(out.poolReturn).toEqual([true, false]);
    expect(out.poolThrow).toEqual(['boom', false]);
    expect(out.thrownSuppressed).toEqual(['SuppressedError', 'a', 'body']);
    expect(out.spawned).toEqual(EXPECTED.awaitUsingAwaits);
  });

  it(NAMES, async () => {
    const out = await runs.get(NAMES)!;
    if (out instanceof Error) throw out;
    const expected = ['C', true, false, false, '[tag]', '', '2', 'TypeError'];
    expect(out).toEqual({ main: expected, thread: expected });
  });

  it('says which compiler helper a thread lacks, and how to avoid it (tsc es5: __generator)', async () => {
    const out = await runs.get(ES5)!;
    if (out instanceof Error) throw out;
    expect(out.message).toMatch(
      /^`__generator` is not defined in the thread function: it is a helper that the compiler/,
    );
    expect(out.message).toMatch(/newer "target"/);
  });
});

describe('thread functions in this file (vitest compiles `using` with Oxc: usingCtx)', () => {
  it('releases on return and on throw, awaits async disposal, and combines errors', async () => {
    const t = spawn(async (m: Mutex) => {
      {
        using _ = m.lock();
      }
      let threw = '';
      try {
        using _ = m.lock();
        throw new Error('boom');
      } catch (e) {
        threw = (e as Error).message;
      }
      const log: string[] = [];
      {
        await using _ = {
          async [Symbol.asyncDispose]() {
            await new Promise((resolve) => setTimeout(resolve, 5));
            log.push('disposed');
          },
        };
        log.push('body');
      }
      let combined: unknown[] = [];
      try {
        using _ = {
          [Symbol.dispose]() {
            throw new Error('dispose');
          },
        };
        throw new Error('body');
      } catch (e) {
        const err = e as Error & { error: Error; suppressed: Error };
        combined = [err.name, err.error.message, err.suppressed.message];
      }
      return [threw, m.isLocked, log, combined];
    }, new Mutex());
    expect(await watchdog(t.join())).toEqual([
      'boom',
      false,
      ['body', 'disposed'],
      ['SuppressedError', 'dispose', 'body'],
    ]);
  });
});

describe('free names in a thread function', () => {
  const failure = (fn: () => unknown): Promise<Error> =>
    watchdog(
      spawn(fn)
        .join()
        .then(
          () => new Error('no error'),
          (e: unknown) => e as Error,
        ),
    );

  it('explains a free function: define it inside or import it, not pass it in args', async () => {
    const isPrime = (n: number) => n > 1 && [2, 3, 5, 7].includes(n);
    const err = await failure(() => isPrime(7));
    expect(err).toBeInstanceOf(ReferenceError);
    expect(err.message).toMatch(
      /^`isPrime` is not defined in the thread function: .*cannot see the variables/,
    );
    expect(err.message).toMatch(/If `isPrime` holds data, pass `isPrime` in `args`/);
    expect(err.message).toMatch(/function or a class, define it inside the thread function.*await import\(/);
  });

  it('explains a compiler helper it does not provide', async () => {
    const err = await failure(() => __spreadValues({}, { a: 1 }));
    expect(err.message).toMatch(
      /^`__spreadValues` is not defined in the thread function: it is a helper .*object spread/,
    );
  });

  it('explains a name that vitest put in for a top-level import', async () => {
    const err = await failure(() => EOL); // vitest: `__vite_ssr_import_N__.EOL`
    expect(err.message).toMatch(
      /^`__vite_ssr_import_\d+__` is not defined in the thread function: it is how vitest/,
    );
  });

  it('gives a function that calls require() the require of the file that created the thread', async () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- what is tested */
    const t = spawn(() => [
      (require('node:os') as typeof import('node:os')).EOL,
      (require('../fixtures/thread/helper.cjs') as { triple(n: number): number }).triple(3),
    ]);
    /* eslint-enable @typescript-eslint/no-require-imports */
    expect(await watchdog(t.join())).toEqual([EOL, 9]);
  });
});

declare const __spreadValues: (a: object, b: object) => object;
