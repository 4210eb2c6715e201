// Worker side of shipping a target: compiles a function's source (once per worker, by id) or loads a
// module export. Compiler helpers that the source calls are passed in (compiler-helpers.ts). Loading
// modules (a module target, `import()` and `require()` inside shipped source, resolved as in the
// caller's file) is module-loading.ts, which the bootstrap plugs in: the standalone bootstrap, whose
// targets load no module, goes without it (see worker-url.ts).
import type { TargetDef } from './target.js';
import { InconsistentStateError } from '../errors.js';
import { compilerHelperNote, helpersUsedBy } from './compiler-helpers.js';

/** A compiled target. */
export type TargetFn = (...args: unknown[]) => unknown;

/** What shipped source calls instead of `import()` (see {@link ModuleLoading.rewrite}). */
export const IMPORT_NAME = '__threadkit_import';

/** How targets load modules (module-loading.ts). */
export interface ModuleLoading {
  /** Points the source's `import(...)` calls at {@link IMPORT_NAME}. */
  rewrite(code: string): string;
  /** The `import()` replacement for source shipped from the file at `base`. */
  importer(base: string | undefined): (spec: unknown) => Promise<unknown>;
  /** The `require` for source shipped from `base`; undefined where the runtime has none. */
  requireFrom(base: string | undefined): ((id: string) => unknown) | undefined;
  /** Loads a module target's export. */
  loadModule(def: TargetDef): Promise<TargetFn>;
}

let modules: ModuleLoading | undefined;

/** Plugs in module loading (the full bootstrap does, before any target is built). */
export function enableModuleLoading(loading: ModuleLoading): void {
  modules = loading;
}

/** A module to load in the standalone bootstrap, which is only started for targets that load none. */
const noModuleLoading = (): Error =>
  new InconsistentStateError('the standalone thread bootstrap was started for a target that loads modules');

/** The module loading plugged in; an inconsistent state where the bootstrap has none. */
function pluggedModuleLoading(): ModuleLoading {
  if (modules) return modules;
  throw noModuleLoading();
}

/** Stands in for `import()` where no module loading was plugged in: the source names none. */
const noImport = (): Promise<never> => Promise.reject(noModuleLoading());

/** Marks frames of shipped source, so a ReferenceError can be traced to the shipped function. */
const SOURCE_TAG = 'threadkit-thread-fn';

function compileSource(def: TargetDef): TargetFn {
  // Without module loading (the standalone bootstrap), the source names neither import nor require.
  const code = modules ? modules.rewrite(def.code) : def.code;
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [name, helper] of helpersUsedBy(code)) {
    // Where the runtime has no `require` (browsers), the name stays free: explainError says why.
    const value = name === 'require' ? pluggedModuleLoading().requireFrom(def.callerUrl) : helper;
    if (value === undefined) continue;
    names.push(name);
    values.push(value);
  }
  const body = `"use strict"; return ${code}\n//# sourceURL=${SOURCE_TAG}-${def.id}.js`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling shipped source is the point
  const factory = new Function(IMPORT_NAME, ...names, body) as (...scope: unknown[]) => TargetFn;
  return factory(modules ? modules.importer(def.callerUrl) : noImport, ...values);
}

/** Compiled targets of this worker, by id. */
const compiled = new Map<number, TargetFn>();
/** Definitions received but not yet built (module targets build asynchronously). */
const pendingDefs = new Map<number, TargetDef>();

/** Records a definition sent along with a task. */
export function define(def: TargetDef): void {
  if (!compiled.has(def.id)) pendingDefs.set(def.id, def);
}

/** The target with this id, compiled on first use; a promise only while a module is loading. */
export function targetById(id: number): TargetFn | Promise<TargetFn> {
  const fn = compiled.get(id);
  if (fn) return fn;
  const def = pendingDefs.get(id);
  if (!def) throw new Error(`threadkit: target #${id} was never sent to this worker (inconsistent state)`);
  if (def.kind === 'fn') {
    const built = compileSource(def);
    compiled.set(id, built);
    pendingDefs.delete(id);
    return built;
  }
  return pluggedModuleLoading()
    .loadModule(def)
    .then((built) => {
      compiled.set(id, built);
      pendingDefs.delete(id);
      return built;
    });
}

/**
 * Rewrites "x is not defined" thrown by shipped source itself into an error that says why (the
 * function was shipped as source, and `x` lived in the scope that created the thread) and what to do,
 * whatever `x` was: data, a function, a module, or a helper that a compiler put there.
 */
export function explainError(err: unknown): unknown {
  if (!(err instanceof ReferenceError)) return err;
  const match = /^(\S+) is not defined$/.exec(err.message);
  const frame = err.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  if (!match || !frame?.includes(SOURCE_TAG)) return err;
  const name = match[1] ?? '';
  const message = `\`${name}\` is not defined in the thread function: ${whyUndefined(name)}`;
  err.stack = err.stack?.replace(err.message, message);
  err.message = message;
  return err;
}

/** The rest of {@link explainError}'s message: why `name` is missing, and what to do instead. */
function whyUndefined(name: string): string {
  if (name === 'require') {
    // Only where requireFrom() has none to give: on Node, a function that names `require` gets one.
    return (
      'this runtime has no CommonJS `require` (browsers). Load modules with `await import()` inside ' +
      'the function (and compile with an ES "module" setting, such as "esnext", which keeps `import()`)'
    );
  }
  const note = compilerHelperNote(name);
  if (note !== undefined) return note;
  return (
    'a thread function is shipped to its thread as source and cannot see the variables around it. ' +
    `If \`${name}\` holds data, pass \`${name}\` in \`args\` (the function receives them as its parameters; ` +
    `\`ThreadPool.map()\` has no \`args\`: put it in each item, or use \`run()\`). ` +
    `If it is a function or a class, define it inside the thread function, or export it from a module ` +
    `and load that inside with \`await import('./module.js')\` (resolved as in the file that created the thread)`
  );
}
