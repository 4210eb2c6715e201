// Worker side of shipping a target: compiles a function's source (once per worker, by id) or loads a
// module export, and makes `import()` inside shipped source resolve as it would in the caller's file.
import type { TargetDef } from './target.js';
import { resolveSpecifier } from './resolve.js';
import { rewriteDynamicImports } from './rewrite-imports.js';

/** A compiled target. */
export type TargetFn = (...args: unknown[]) => unknown;

/** Marks frames of shipped source, so a ReferenceError can be traced to the shipped function. */
const SOURCE_TAG = 'threadkit-thread-fn';

/** esbuild's `keepNames` helper, which bundled/transpiled sources (tsx, vitest) call inside functions. */
const keepName = (fn: unknown, name: string): unknown =>
  Object.defineProperty(fn as object, 'name', { value: name, configurable: true });

/** The `import()` replacement handed to shipped source. */
function importerFor(base: string | undefined): (spec: unknown) => Promise<unknown> {
  // async: a resolution error rejects, as import() does, instead of throwing.
  return async (spec) =>
    (await import(typeof spec === 'string' ? resolveSpecifier(spec, base) : (spec as string))) as unknown;
}

function compileSource(def: TargetDef): TargetFn {
  const code = rewriteDynamicImports(def.code, '__threadkit_import');
  const body = `"use strict"; return ${code}\n//# sourceURL=${SOURCE_TAG}-${def.id}.js`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling shipped source is the point
  const factory = new Function('__threadkit_import', '__name', body) as (
    importer: unknown,
    name: unknown,
  ) => TargetFn;
  return factory(importerFor(def.callerUrl), keepName);
}

async function loadModule(def: TargetDef): Promise<TargetFn> {
  const ns = (await import(resolveSpecifier(def.code, def.callerUrl))) as Record<string, unknown>;
  const fn = ns[def.exportName];
  if (typeof fn === 'function') return fn as TargetFn;
  // A CommonJS module's `module.exports = fn` arrives as the default export.
  const fromDefault =
    def.exportName === 'default'
      ? undefined
      : (ns.default as Record<string, unknown> | undefined)?.[def.exportName];
  if (typeof fromDefault === 'function') return fromDefault as TargetFn;
  // The error names what the module exports under that name, not what its default export lacks.
  const got = fn === undefined ? fromDefault : fn;
  throw new TypeError(
    `Expected module ${JSON.stringify(def.code)} to export a function named \`${def.exportName}\`, got ${typeof got}`,
  );
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
  return loadModule(def).then((built) => {
    compiled.set(id, built);
    pendingDefs.delete(id);
    return built;
  });
}

/**
 * Rewrites "x is not defined" thrown by shipped source itself into an error that says why: the
 * function was shipped as source and `x` lived in the scope that created the thread.
 */
export function explainError(err: unknown): unknown {
  if (!(err instanceof ReferenceError)) return err;
  const match = /^(\S+) is not defined$/.exec(err.message);
  const frame = err.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  if (!match || !frame?.includes(SOURCE_TAG)) return err;
  const name = match[1] ?? '';
  const message =
    `\`${name}\` is not defined in the thread function. Functions run in a thread are shipped as source ` +
    `and cannot use variables from the scope that created them: pass \`${name}\` in \`args\` ` +
    `(or import it inside the function)`;
  err.stack = err.stack?.replace(err.message, message);
  err.message = message;
  return err;
}
