// Worker side of shipping a target: compiles a function's source (once per worker, by id) or loads a
// module export, and makes `import()` and `require()` inside shipped source resolve as they would in
// the caller's file. Compiler helpers that the source calls are passed in (compiler-helpers.ts).
import { loadsModules, type TargetDef } from './target.js';
import { compilerHelperNote, helpersUsedBy } from './compiler-helpers.js';

/**
 * What shipped source that loads modules needs: resolving as the caller's file would (resolve.ts,
 * with node:fs, node:module, node:url and its own package.json reader) and rewriting its `import()`.
 * Loaded on first use: most targets load no module, and their thread starts a few ms sooner without.
 */
type ModuleSupport = typeof import('./resolve.js') & typeof import('./rewrite-imports.js');
let moduleSupport: Promise<ModuleSupport> | undefined;

function loadModuleSupport(): Promise<ModuleSupport> {
  return (moduleSupport ??= Promise.all([import('./resolve.js'), import('./rewrite-imports.js')]).then(
    ([resolve, rewrite]) => ({ ...resolve, ...rewrite }),
  ));
}

/** A compiled target. */
export type TargetFn = (...args: unknown[]) => unknown;

/** Marks frames of shipped source, so a ReferenceError can be traced to the shipped function. */
const SOURCE_TAG = 'threadkit-thread-fn';

/**
 * `import()` of `spec` as the caller's file (`base`) would: resolved against it, and an error naming
 * the file that ran the `import()` (threadkit's) names the caller's file instead (and says so where
 * the file is TypeScript that this thread cannot load).
 */
async function importAs(spec: string, base: string | undefined): Promise<unknown> {
  const { blameCaller, hintTypeScript, nameUnparsed, resolveSpecifier } = await loadModuleSupport();
  const url = resolveSpecifier(spec, base);
  try {
    return (await import(url)) as unknown;
  } catch (err) {
    throw nameUnparsed(hintTypeScript(blameCaller(err, import.meta.url, base)), url);
  }
}

/** The `import()` replacement handed to shipped source. */
function importerFor(base: string | undefined): (spec: unknown) => Promise<unknown> {
  // async: a resolution error rejects, as import() does, instead of throwing.
  return async (spec) =>
    typeof spec === 'string' ? importAs(spec, base) : ((await import(spec as string)) as unknown);
}

/** `modules`: loaded where the source loads modules (only then does it name `import` or `require`). */
function compileSource(def: TargetDef, modules: ModuleSupport | undefined): TargetFn {
  const code = modules ? modules.rewriteDynamicImports(def.code, '__threadkit_import') : def.code;
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [name, helper] of helpersUsedBy(code)) {
    // Where the runtime has no `require` (browsers), the name stays free: explainError says why.
    const value = name === 'require' ? modules?.requireFrom(def.callerUrl) : helper;
    if (value === undefined) continue;
    names.push(name);
    values.push(value);
  }
  const body = `"use strict"; return ${code}\n//# sourceURL=${SOURCE_TAG}-${def.id}.js`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling shipped source is the point
  const factory = new Function('__threadkit_import', ...names, body) as (...scope: unknown[]) => TargetFn;
  return factory(importerFor(def.callerUrl), ...values);
}

async function loadModule(def: TargetDef): Promise<TargetFn> {
  let ns: Record<string, unknown>;
  try {
    ns = (await importAs(def.code, def.callerUrl)) as Record<string, unknown>;
  } catch (err) {
    throw (await loadModuleSupport()).hintRelative(err, def.code, def.callerUrl);
  }
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
    `Expected module ${JSON.stringify(def.code)} to export a function named \`${def.exportName}\`, got ${typeof got}` +
      exportedFunctions(ns),
  );
}

/**
 * The rest of the message for an export that is not a function: the names that are, so that a
 * misspelt name, or a module with named exports only (a CommonJS `exports.x = ...`) run without an
 * `export`, says what to pass instead. A CommonJS module's `module.exports` is its default export.
 */
function exportedFunctions(ns: Record<string, unknown>): string {
  const names = new Set<string>();
  const cjs = ns.default;
  for (const from of [ns, typeof cjs === 'object' || typeof cjs === 'function' ? cjs : undefined]) {
    if (from === undefined || from === null) continue;
    for (const key of Object.keys(from)) {
      if (typeof (from as Record<string, unknown>)[key] === 'function') names.add(key);
    }
  }
  if (names.size === 0) return '; it exports no function';
  return `; the functions it exports: ${[...names].join(', ')} (pass the name as \`export\`)`;
}

/** Compiled targets of this worker, by id. */
const compiled = new Map<number, TargetFn>();
/** Definitions received but not yet built (module targets build asynchronously). */
const pendingDefs = new Map<number, TargetDef>();

/** Records a definition sent along with a task. */
export function define(def: TargetDef): void {
  if (!compiled.has(def.id)) pendingDefs.set(def.id, def);
}

/** The target with this id, built on first use; a promise while it loads (a module, or what source that loads modules needs). */
export function targetById(id: number): TargetFn | Promise<TargetFn> {
  const fn = compiled.get(id);
  if (fn) return fn;
  const def = pendingDefs.get(id);
  if (!def) throw new Error(`threadkit: target #${id} was never sent to this worker (inconsistent state)`);
  if (def.kind === 'fn' && !loadsModules(def.code)) {
    const built = compileSource(def, undefined);
    compiled.set(id, built);
    pendingDefs.delete(id);
    return built;
  }
  const building =
    def.kind === 'fn' ? loadModuleSupport().then((modules) => compileSource(def, modules)) : loadModule(def);
  return building.then((built) => {
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
