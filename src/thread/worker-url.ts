// Where the worker bootstrap lives: next to this module's built file (dist/thread-worker.js beside
// the ESM chunks, .cjs beside the CommonJS ones), or the TypeScript source when run from src/.
// And which of the parent's Node flags a Thread's worker needs.
import { loadsModules, type TargetDef } from './target.js';

const here = import.meta.url;
const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js';

/** URL of the worker bootstrap file matching the running build. */
export const WORKER_URL: URL = new URL(`./thread-worker${ext}`, here);
/**
 * Node itself (not Bun, Deno or a browser): the only runtime where the start-up shortcuts below
 * (CommonJS bootstrap, filtered execArgv) are measured and tested.
 */
const onPlainNode =
  typeof process !== 'undefined' &&
  typeof process.versions?.node === 'string' &&
  process.versions.bun === undefined &&
  !('Deno' in globalThis);
/** The CommonJS build of the bootstrap, which starts faster than the ESM one (no ESM loader to set up). */
const CJS_WORKER_URL: URL = ext === '.ts' ? WORKER_URL : new URL('./thread-worker.cjs', here);

/**
 * The bootstrap of a standalone thread (see {@link isStandalone}) whose args hold nothing to revive:
 * standalone-worker.ts, without the primitives and module loading, in one file, which a worker loads
 * several ms sooner than the two dozen chunk files of thread-worker.cjs.
 */
const STANDALONE_WORKER_URL: URL =
  ext === '.ts' ? WORKER_URL : new URL('./standalone/thread-worker.cjs', here);

/**
 * Whether a target runs without loading any module: a function that does not `import()` or
 * `require()`, on the built bootstrap. Such a thread cannot reach threadkit's own modules either, so it
 * cannot tell which build of them (ESM or CommonJS) its bootstrap uses, nor whether a source loader is
 * present, and no threadkit primitive reaches it but through its args.
 */
function isStandalone(target: TargetDef): boolean {
  if (!onPlainNode || ext === '.ts' || target.kind !== 'fn' || target.callerUrl !== undefined) return false;
  return !loadsModules(target.code);
}

/** Every bootstrap file a worker of this build may run (see {@link threadWorkerUrl}). */
export const BOOTSTRAP_URLS: readonly URL[] = [WORKER_URL, CJS_WORKER_URL, STANDALONE_WORKER_URL];

/**
 * The bootstrap for a Thread running `target`: the faster-starting CommonJS one when it cannot matter,
 * in one file when no primitive reaches the thread either. `tagged`: whether the args hold something
 * for the codec to revive (see ThreadLaunch).
 */
export function threadWorkerUrl(target: TargetDef, tagged: boolean): URL {
  if (!isStandalone(target)) return WORKER_URL;
  return tagged ? CJS_WORKER_URL : STANDALONE_WORKER_URL;
}

/** Flags whose value is a module to preload: `--import x`, `--import=x`, and the like. */
const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
/** Preloads that only teach Node to load TypeScript (or other source) files. */
const SOURCE_LOADER = /^(?:tsx|ts-node|@swc-node\/register|esbuild-register|@esbuild-kit\/|jiti)(?:$|[/])/;

/**
 * The `execArgv` for a Thread's worker, or undefined to inherit the parent's flags as Node does.
 *
 * A worker inherits the parent's flags, so under `node --import tsx` every worker first starts tsx's
 * loader, and our built bootstrap's modules then load through it: several times slower than a plain
 * Worker. The built bootstrap needs no loader, and a function target that does not `import()` loads
 * no module at all, so for exactly that case the source-loader preloads (and nothing else) are
 * dropped. A module target, or a function that imports, keeps them: it may load TypeScript.
 */
export function workerExecArgv(target: TargetDef): string[] | undefined {
  if (!isStandalone(target)) return undefined;
  if (loaderFree === null) loaderFree = withoutSourceLoaders(process.execArgv);
  return loaderFree;
}

/** The parent's flags without source-loader preloads (undefined: nothing to drop); null until computed. */
let loaderFree: string[] | undefined | null = null;
let rejections = 0;

/**
 * Inherited flags are filtered by Node silently, explicit ones are checked: a process-wide flag such
 * as `--expose-gc` makes `new Worker` throw ERR_WORKER_INVALID_EXEC_ARGV (before any thread starts).
 * Called with that error: drops the flags it names for every later thread (or, if that was tried
 * already, inherits the parent's flags again) and says whether to retry.
 */
export function dropRejectedExecArgv(err: unknown): boolean {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !loaderFree)
    return false;
  const named = /flags: (.*)$/.exec((err as Error).message)?.[1]?.split(', ');
  loaderFree = named && ++rejections === 1 ? loaderFree.filter((arg) => !named.includes(arg)) : undefined;
  return true;
}

function withoutSourceLoaders(argv: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!PRELOAD_FLAGS.has(flag)) {
      kept.push(arg);
      continue;
    }
    const value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
    const isLoader = flag.includes('loader') || SOURCE_LOADER.test(value ?? '');
    if (eq === -1) i++; // the value is the next entry
    if (!isLoader) kept.push(arg, ...(eq === -1 && value !== undefined ? [value] : []));
  }
  return kept.length === argv.length ? undefined : kept;
}
