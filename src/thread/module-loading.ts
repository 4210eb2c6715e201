// Loading modules for shipped targets, plugged into compile.ts by the full bootstrap (thread-worker.ts):
// a module target's export, and `import()` and `require()` inside shipped source, resolved as they would
// be in the caller's file (resolve.ts).
import { IMPORT_NAME, type ModuleLoading, type TargetFn } from './compile.js';
import {
  blameCaller,
  hintRelative,
  hintTypeScript,
  nameUnparsed,
  requireFrom,
  resolveSpecifier,
} from './resolve.js';
import { rewriteDynamicImports } from './rewrite-imports.js';
import type { TargetDef } from './target.js';

/**
 * `import()` of `spec` as the caller's file (`base`) would: resolved against it, and an error naming
 * the file that ran the `import()` (threadkit's) names the caller's file instead (and says so where
 * the file is TypeScript that this thread cannot load).
 */
async function importAs(spec: string, base: string | undefined): Promise<unknown> {
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

async function loadModule(def: TargetDef): Promise<TargetFn> {
  let ns: Record<string, unknown>;
  try {
    ns = (await importAs(def.code, def.callerUrl)) as Record<string, unknown>;
  } catch (err) {
    throw hintRelative(err, def.code, def.callerUrl);
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

/** Module loading for compile.ts. */
export const moduleLoading: ModuleLoading = {
  rewrite: (code) => rewriteDynamicImports(code, IMPORT_NAME),
  importer: importerFor,
  requireFrom,
  loadModule,
};
