// The published typings compile on their own: in a project without @types/node (TypeScript 7 no
// longer includes it unasked) and without the DOM lib, with only `lib: es2022`; and next to both,
// where their fallback declarations must merge with the real ones. They also resolve, subpaths
// included, under `moduleResolution: node10` (TypeScript's default for `module: commonjs`), which
// ignores `exports` and finds them through `typesVersions`. Under `exactOptionalPropertyTypes` (as in
// @tsconfig/strictest), every options bag takes an explicit `undefined`, as it does at run time, so a
// wrapper can forward its own optional parameters. A consumer importing every entry
// point is compiled against a copy of the package's package.json and dist/ typings in a temporary
// folder, so nothing of this repository's node_modules is in reach.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const TYPES_NODE = join(REPO, 'node_modules/@types');

/** Every entry point the package exports, as a consumer imports it. */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'threadkit' : `threadkit${key.slice(1)}`));
}

/** A consumer using what needs a non-ES2022 global type: signals, URL targets, `using`, error causes. */
function consumer(): string {
  const imports = entryPoints().map((spec, i) => `import * as m${i} from '${spec}';`);
  return `${imports.join('\n')}
import { Mutex } from 'threadkit/mutex';
import { ThreadPool, spawn, type ResourceLimits } from 'threadkit/thread';
import { TimeoutError } from 'threadkit';

export const modules = [${imports.map((_, i) => `m${i}`).join(', ')}];
declare const signal: AbortSignal;
declare const url: URL;
const m = new Mutex();
{
  using guard = m.lock();
  void guard;
}
export const locked: Promise<unknown> = m.lockAsync({ signal, timeoutMs: 5 });
export const joined: Promise<number> = spawn((x: number) => x * 2, 21).join();
const limits: ResourceLimits = { maxOldGenerationSizeMb: 64, stackSizeMb: 4 };
export async function run(): Promise<number> {
  await using pool = new ThreadPool({ size: 1, resourceLimits: limits });
  await pool.run(url, { export: 'main' });
  return pool.run((x: number) => x, { args: [1], transfer: [new ArrayBuffer(1)], signal });
}
export const error = new TimeoutError('late');
// The fallback declarations of AbortSignal and URL must not accept just anything.
// @ts-expect-error a number is not an AbortSignal
export const notSignal: Promise<unknown> = m.lockAsync({ signal: 42 });
// @ts-expect-error a string is not an AbortSignal
export const notSignal2: Promise<unknown> = new ThreadPool().run(() => 1, { signal: 'not a signal' });
// @ts-expect-error a plain object is not a URL (nor a function or a module path)
export const notUrl: Promise<unknown> = new ThreadPool().run({ path: './task.js' });
`;
}

/**
 * A wrapper forwarding its optional parameters (possibly `undefined`) into every options bag, as
 * `exactOptionalPropertyTypes` checks them: run time takes an `undefined` option as left out.
 */
function forwarder(): string {
  return `import { Barrier } from 'threadkit/barrier';
import { Condition } from 'threadkit/condition';
import { Event } from 'threadkit/event';
import { CountDownLatch } from 'threadkit/latch';
import { Mutex, setDiagnostics, type SlowLockReport } from 'threadkit/mutex';
import { Once } from 'threadkit/once';
import { Queue } from 'threadkit/queue';
import { RwLock } from 'threadkit/rwlock';
import { Semaphore } from 'threadkit/semaphore';
import { Thread, ThreadPool } from 'threadkit/thread';
import { ThreadLocal, local } from 'threadkit/threadlocal';

export async function forward(
  signal?: AbortSignal,
  timeoutMs?: number,
  buffer?: SharedArrayBuffer,
  byteOffset?: number,
  flag?: boolean,
  name?: string,
  onSlowLock?: (report: SlowLockReport) => void,
): Promise<void> {
  const wait = { signal, timeoutMs };
  const place = { buffer, byteOffset };
  const mutex = new Mutex({ ...place, reentrant: flag });
  using guard = await mutex.lockAsync(wait);
  await mutex.withLockAsync(() => 1, wait);
  await new Condition(mutex, place).waitAsync(guard, wait);
  const semaphore = new Semaphore(1, { ...place, max: timeoutMs, robust: flag });
  await semaphore.acquireAsync(1, wait);
  const rw = new RwLock(place);
  (await rw.readLockAsync(wait)).unlock();
  (await rw.writeLockAsync(wait)).unlock();
  await new Event(place).waitAsync(wait);
  await new CountDownLatch(0, place).waitAsync(wait);
  await new Barrier(1, place).waitAsync(wait);
  await new Once(place).runAsync(() => {}, wait);
  const queue = new Queue<number>(1, { maxBytes: timeoutMs });
  await queue.putAsync(1, wait);
  await queue.getAsync(wait);
  setDiagnostics({ slowLockMs: timeoutMs, onSlowLock, lockOrder: flag });
  new ThreadLocal<number>({ initial: undefined, inheritable: flag, name });
  local({ inheritable: flag });
  await new Thread(() => 1, { name, signal, daemon: flag, export: name, transfer: undefined }).start().join();
  const pool = new ThreadPool({
    size: timeoutMs,
    idleTimeoutMs: timeoutMs,
    maxQueue: timeoutMs,
    startupTimeoutMs: timeoutMs,
    resourceLimits: undefined,
  });
  await pool.run(() => 1, { args: undefined, export: name, transfer: undefined, signal, timeoutMs });
  await pool.map((x: number) => x, [1], { signal });
}
`;
}

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadkit-typings-'));
  const pkg = join(dir, 'node_modules/threadkit');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(REPO, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(REPO, 'dist'), join(pkg, 'dist'), {
    recursive: true,
    filter: (src) => !/\.(c?js|map)$/.test(src),
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  writeFileSync(join(dir, 'esm.mts'), consumer());
  writeFileSync(join(dir, 'node10.ts'), consumer());
  writeFileSync(join(dir, 'forwarder.mts'), forwarder());
  writeFileSync(
    join(dir, 'cjs.cts'),
    entryPoints()
      .map((s) => `import '${s}';`)
      .join('\n'),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Compiles the consumer `files` with the repository's tsc under `options`; resolves with tsc's code
 * and output.
 */
function tsc(
  name: string,
  options: object,
  files = ['esm.mts', 'cjs.cts'],
): Promise<{ code: number; output: string }> {
  const config = {
    compilerOptions: {
      noEmit: true,
      strict: true,
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      ...options,
    },
    files,
  };
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(config));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSC, '-p', `tsconfig.${name}.json`],
      { cwd: dir, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${name}: ${stdout}${stderr}` }),
    );
  });
}

describe('published typings', () => {
  it('compile without @types/node or the DOM lib, and next to both', async () => {
    const runs = await Promise.all([
      // Nothing but ECMAScript: the package's own fallbacks must carry it.
      tsc('bare', { lib: ['es2022'], types: [], typeRoots: [] }),
      // With the DOM lib and esnext.disposable: the fallbacks merge into the real declarations.
      tsc('dom', { lib: ['es2022', 'esnext.disposable', 'dom'], types: [], typeRoots: [] }),
      // A Node project: @types/node next to the fallbacks.
      tsc('node', { lib: ['es2022', 'esnext.disposable'], typeRoots: [TYPES_NODE], types: ['node'] }),
    ]);
    expect(runs.map((r) => r.output)).toEqual(['bare: ', 'dom: ', 'node: ']);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
  });

  /** Compiles `file` in a Node project (@types/node) with `options` added, and expects no error. */
  async function compilesInNodeProject(name: string, options: object, file: string): Promise<void> {
    const node = { lib: ['es2022', 'esnext.disposable'], typeRoots: [TYPES_NODE], types: ['node'] };
    const run = await tsc(name, { ...node, ...options }, [file]);
    expect(run.output).toBe(`${name}: `);
    expect(run.code).toBe(0);
  }

  it('resolve every entry point under moduleResolution node10 (typesVersions)', async () => {
    await compilesInNodeProject('node10', { module: 'commonjs', moduleResolution: 'node10' }, 'node10.ts');
  });

  it('take an explicit undefined for every option under exactOptionalPropertyTypes', async () => {
    await compilesInNodeProject('exact', { exactOptionalPropertyTypes: true }, 'forwarder.mts');
  });
});
