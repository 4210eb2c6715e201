// Node build: resolves specifiers of `import()` in shipped source and of module targets as the caller's
// file would (resolve.browser.ts is the browser build's version).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Nearest package.json with a name, above a file: identifies which package a resolved file is in. */
const packageRoots = new Map<string, string | undefined>();
function packageRoot(file: string): string | undefined {
  let dir = dirname(file);
  const seen: string[] = [];
  for (;;) {
    if (packageRoots.has(dir)) break;
    seen.push(dir);
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name !== undefined) {
          packageRoots.set(dir, dir);
          break;
        }
      } catch {
        // unreadable package.json: keep looking up
      }
    }
    const up = dirname(dir);
    if (up === dir) {
      packageRoots.set(dir, undefined);
      break;
    }
    dir = up;
  }
  const root = packageRoots.get(dir);
  for (const d of seen) packageRoots.set(d, root);
  return root;
}

/**
 * Resolves a bare specifier as the caller's file would. `createRequire(caller)` finds which package
 * the caller sees; when plain `import` resolution from here lands in that same package we take its
 * (ESM) entry instead, so one package is not loaded twice in CJS and ESM form.
 */
function resolveBare(spec: string, base: string): string {
  let required: string;
  try {
    required = createRequire(base).resolve(spec);
  } catch {
    return spec; // not resolvable from the caller: let plain import() try (and report)
  }
  try {
    const esm = import.meta.resolve(spec);
    if (esm.startsWith('file:') && packageRoot(fileURLToPath(esm)) === packageRoot(required)) return esm;
  } catch {
    // not resolvable from here: use what the caller sees
  }
  return pathToFileURL(required).href;
}

/** Resolves `spec` against the caller's file: relative paths, absolute paths, URLs, builtins, bare names. */
export function resolveSpecifier(specifier: string, base: string | undefined): string {
  // vitest's spelling of a file outside its project root.
  const spec = specifier.startsWith('/@fs/') ? specifier.slice(4) : specifier;
  if (/^\.{1,2}([\\/]|$)/.test(spec)) {
    return base ? new URL(spec, base).href : pathToFileURL(resolvePath(spec)).href;
  }
  if (isAbsolute(spec)) {
    // vitest pre-resolves import() specifiers to paths from its project root ('/test/x.ts'): when such a
    // path does not exist, try it under the caller's package root.
    const root =
      base?.startsWith('file:') && !existsSync(spec) ? packageRoot(fileURLToPath(base)) : undefined;
    const rooted = root === undefined ? undefined : join(root, spec);
    return pathToFileURL(rooted !== undefined && existsSync(rooted) ? rooted : spec).href;
  }
  if (/^[a-z][a-z\d+.-]*:/i.test(spec) || isBuiltin(spec)) return spec;
  return base?.startsWith('file:') ? resolveBare(spec, base) : spec;
}
