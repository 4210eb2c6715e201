// Node's ESM resolution of a bare specifier (a package name or a `#import`) from a given file, so that
// `import()` inside a thread function resolves as `import()` in the file that created the thread.
//
// Why our own: the worker cannot ask Node. `import.meta.resolve(spec, parent)` ignores `parent` unless
// Node runs with --experimental-import-meta-resolve (still true on Node 26), and `createRequire(file)`
// resolves with the "require" conditions: the CommonJS half of a dual package, nothing at all for an
// ESM-only one.
//
// This follows "Resolution Algorithm Specification" in Node's docs (doc/api/esm.md) and the checks of
// Node's lib/internal/modules/esm/resolve.js:
//   PACKAGE_RESOLVE      walk up node_modules/<name> from the file's folder (after self-reference:
//                        the file's own package by name), then "exports", else "main"/index.js;
//   PACKAGE_IMPORTS_RESOLVE  `#x` through "imports" of the file's package;
//   exports/imports maps: exact keys, then the longest "*" pattern; targets are strings, arrays
//                        (first that resolves) or condition objects (first matching key, in order);
//   the conditions of `import`: "node", "import", "node-addons", "module-sync" where this Node applies
//                        it (require(esm) on: Node 20.19+, 22.12+), --conditions, "default";
//   the result must be an existing file; its real path is used (unless --preserve-symlinks).
// Failures throw errors with Node's codes and messages, naming the file that created the thread.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A package.json: its URL (targets resolve against it) and the fields resolution reads. */
interface PackageConfig {
  readonly url: URL;
  readonly name?: unknown;
  readonly main?: unknown;
  readonly exports?: unknown;
  readonly imports?: unknown;
}

let flags: string[] | undefined;
/** This Node's flags: its command line and NODE_OPTIONS (read once: they do not change). */
const nodeFlags = (): string[] =>
  (flags ??= [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]);

let conditions: Set<string> | undefined;
/** The conditions Node matches for `import`. */
function importConditions(): Set<string> {
  if (conditions) return conditions;
  const flags = nodeFlags();
  const user = flags.flatMap((flag, i) =>
    flag === '--conditions' || flag === '-C'
      ? [flags[i + 1] ?? '']
      : /^(--conditions|-C)=/.test(flag)
        ? [flag.slice(flag.indexOf('=') + 1)]
        : [],
  );
  conditions = new Set([
    'node',
    'import',
    ...(flags.includes('--no-addons') ? [] : ['node-addons']),
    // process.features may be missing on other runtimes running this build (Bun, Deno).
    ...((process.features as { require_module?: boolean } | undefined)?.require_module === true
      ? ['module-sync']
      : []),
    ...user,
    'default',
  ]);
  return conditions;
}

const preserveSymlinks = (): boolean =>
  nodeFlags().includes('--preserve-symlinks') || process.env.NODE_PRESERVE_SYMLINKS === '1';

function resolveError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const configs = new Map<string, PackageConfig | null>();
/** The package.json at `file` (cached), or null when there is none; throws for invalid JSON. */
export function readConfig(file: string): PackageConfig | null {
  let config = configs.get(file);
  if (config !== undefined) return config;
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no package.json here
  }
  try {
    config = text === undefined ? null : { ...(JSON.parse(text) as object), url: pathToFileURL(file) };
  } catch (err) {
    throw Object.assign(resolveError('ERR_INVALID_PACKAGE_CONFIG', `Invalid package config ${file}.`), {
      cause: err,
    });
  }
  configs.set(file, config);
  return config;
}

/** The package a file belongs to: the nearest package.json above it, not crossing node_modules. */
function packageScope(file: string): PackageConfig | null {
  for (let dir = dirname(file); basename(dir) !== 'node_modules';) {
    const config = readConfig(join(dir, 'package.json'));
    if (config) return config;
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  return null;
}

// A `.`, `..` or `node_modules` segment: a target or pattern match may not leave or descend into packages.
const INVALID_SEGMENT = /(^|[\\/])((\.|%2e)(\.|%2e)?|node_modules)([\\/]|$)/i;

/** A target string of "exports" or "imports", with `*` replaced by `match`. */
function resolveTargetString(
  config: PackageConfig,
  target: string,
  match: string | undefined,
  isImports: boolean,
  parent: string,
): string {
  const invalid = () =>
    resolveError(
      'ERR_INVALID_PACKAGE_TARGET',
      `Invalid "${isImports ? 'imports' : 'exports'}" target ${JSON.stringify(target)} in ${fileURLToPath(config.url)} imported from ${parent}`,
    );
  const expanded = match === undefined ? target : target.replaceAll('*', () => match);
  if (!target.startsWith('./')) {
    // "imports" may map to another package: `"#dep": "dep"`.
    if (isImports && !/^(\.\.?\/|\/)|^[a-z][a-z\d+.-]*:/i.test(target)) {
      return resolvePackage(expanded, fileURLToPath(config.url), parent);
    }
    throw invalid();
  }
  if (INVALID_SEGMENT.test(target.slice(2)) || (match !== undefined && INVALID_SEGMENT.test(match))) {
    throw invalid();
  }
  const url = new URL(expanded, config.url);
  if (!url.pathname.startsWith(new URL('.', config.url).pathname)) throw invalid();
  return url.href;
}

/** A target: string, array (first that resolves) or conditions (first matching key, in key order). */
function resolveTarget(
  config: PackageConfig,
  target: unknown,
  match: string | undefined,
  isImports: boolean,
  parent: string,
): string | null | undefined {
  if (typeof target === 'string') return resolveTargetString(config, target, match, isImports, parent);
  if (Array.isArray(target)) {
    let last: unknown = null;
    for (const item of target) {
      let resolved: string | null | undefined;
      try {
        resolved = resolveTarget(config, item, match, isImports, parent);
      } catch (err) {
        last = err;
        if ((err as { code?: unknown }).code === 'ERR_INVALID_PACKAGE_TARGET') continue;
        throw err;
      }
      if (resolved === undefined) continue;
      if (resolved === null) {
        last = null;
        continue;
      }
      return resolved;
    }
    if (last === null) return null;
    throw last as Error;
  }
  if (target !== null && typeof target === 'object') {
    const wanted = importConditions();
    for (const [key, value] of Object.entries(target)) {
      if (!wanted.has(key)) continue;
      const resolved = resolveTarget(config, value, match, isImports, parent);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  return null; // null: explicitly not exported
}

/** Node's PATTERN_KEY_COMPARE: longer prefix before `*` first, then longer key. */
function patternKeyCompare(a: string, b: string): number {
  const starA = a.indexOf('*');
  const starB = b.indexOf('*');
  const baseA = starA === -1 ? a.length : starA + 1;
  const baseB = starB === -1 ? b.length : starB + 1;
  if (baseA !== baseB) return baseA > baseB ? -1 : 1;
  if (starA === -1) return 1;
  if (starB === -1) return -1;
  return a.length === b.length ? 0 : a.length > b.length ? -1 : 1;
}

/** Looks `key` up in an "exports" subpath map or an "imports" map: exact key, else best `*` pattern. */
function resolveMap(
  config: PackageConfig,
  key: string,
  map: Record<string, unknown>,
  isImports: boolean,
  parent: string,
): string | null | undefined {
  if (Object.hasOwn(map, key) && !key.includes('*')) {
    return resolveTarget(config, map[key], undefined, isImports, parent);
  }
  let best = '';
  let match = '';
  for (const pattern of Object.keys(map)) {
    const star = pattern.indexOf('*');
    if (star === -1 || pattern.lastIndexOf('*') !== star || !key.startsWith(pattern.slice(0, star))) {
      continue;
    }
    const trailer = pattern.slice(star + 1);
    if (key.length >= pattern.length && key.endsWith(trailer) && patternKeyCompare(best, pattern) === 1) {
      best = pattern;
      match = key.slice(star, key.length - trailer.length);
    }
  }
  return best === '' ? undefined : resolveTarget(config, map[best], match, isImports, parent);
}

function resolveExports(config: PackageConfig, subpath: string, parent: string): string {
  let exports = config.exports;
  const keys = exports !== null && typeof exports === 'object' ? Object.keys(exports) : [];
  const subpathKeys = keys.filter((k) => k.startsWith('.')).length;
  if (subpathKeys !== 0 && subpathKeys !== keys.length) {
    throw resolveError(
      'ERR_INVALID_PACKAGE_CONFIG',
      `Invalid package config ${fileURLToPath(config.url)}: "exports" cannot contain some keys starting with '.' and some not.`,
    );
  }
  if (typeof exports === 'string' || Array.isArray(exports) || subpathKeys === 0) exports = { '.': exports };
  const resolved = resolveMap(config, subpath, exports as Record<string, unknown>, false, parent);
  if (resolved != null) return resolved;
  const where = `in ${fileURLToPath(config.url)} imported from ${parent}`;
  throw resolveError(
    'ERR_PACKAGE_PATH_NOT_EXPORTED',
    subpath === '.'
      ? `No "exports" main defined ${where}`
      : `Package subpath '${subpath}' is not defined by "exports" ${where}`,
  );
}

/** A package without "exports": its "main", else index.js (LEGACY_MAIN_RESOLVE). */
function resolveMain(config: PackageConfig, parent: string): string {
  const main = typeof config.main === 'string' ? config.main : undefined;
  const tries =
    main === undefined ? [] : ['', '.js', '.json', '.node', '/index.js', '/index.json', '/index.node'];
  for (const candidate of [
    ...tries.map((ext) => `./${main}${ext}`),
    './index.js',
    './index.json',
    './index.node',
  ]) {
    const url = new URL(candidate, config.url);
    if (statSync(url, { throwIfNoEntry: false })?.isFile()) return url.href;
  }
  throw resolveError(
    'ERR_MODULE_NOT_FOUND',
    `Cannot find package '${dirname(fileURLToPath(config.url))}' imported from ${parent}`,
  );
}

/** PACKAGE_RESOLVE of `spec` from the file `from` (the caller, or a package for "imports" targets). */
function resolvePackage(spec: string, from: string, parent: string): string {
  if (isBuiltin(spec)) return spec.startsWith('node:') ? spec : `node:${spec}`;
  let slash = spec.indexOf('/');
  if (spec.startsWith('@')) slash = slash === -1 ? -1 : spec.indexOf('/', slash + 1);
  const name = slash === -1 ? spec : spec.slice(0, slash);
  if ((spec.startsWith('@') && !name.includes('/')) || /^\.|%|\\/.test(name)) {
    throw resolveError(
      'ERR_INVALID_MODULE_SPECIFIER',
      `Invalid module "${spec}" is not a valid package name imported from ${parent}`,
    );
  }
  const subpath = slash === -1 ? '.' : `.${spec.slice(slash)}`;
  const self = packageScope(from);
  if (self?.name === name && self.exports != null) return resolveExports(self, subpath, parent);
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (statSync(pkgDir, { throwIfNoEntry: false })?.isDirectory()) {
      const config = readConfig(join(pkgDir, 'package.json')) ?? {
        url: pathToFileURL(join(pkgDir, 'package.json')),
      };
      if (config.exports != null) return resolveExports(config, subpath, parent);
      return subpath === '.' ? resolveMain(config, parent) : new URL(subpath, config.url).href;
    }
    if (dirname(dir) === dir) break;
  }
  throw resolveError('ERR_MODULE_NOT_FOUND', `Cannot find package '${name}' imported from ${parent}`);
}

/** PACKAGE_IMPORTS_RESOLVE: `#x` through the "imports" of the caller's package. */
function resolveImports(spec: string, from: string, parent: string): string {
  if (spec === '#' || spec.startsWith('#/') || spec.endsWith('/')) {
    throw resolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module "${spec}" imported from ${parent}`);
  }
  const scope = packageScope(from);
  const imports = scope?.imports;
  if (scope && imports !== null && typeof imports === 'object' && !Array.isArray(imports)) {
    const resolved = resolveMap(scope, spec, imports as Record<string, unknown>, true, parent);
    if (resolved != null) return resolved;
  }
  const where = scope ? ` in package ${fileURLToPath(scope.url)}` : '';
  throw resolveError(
    'ERR_PACKAGE_IMPORT_NOT_DEFINED',
    `Package import specifier "${spec}" is not defined${where} imported from ${parent}`,
  );
}

/**
 * Resolves a bare specifier (`pkg`, `@scope/pkg/sub`, `#internal`) as `import()` in the file at
 * `parentUrl` (a file: URL) would, to a URL for `import()`. Throws Node's resolution errors.
 */
export function resolveImport(spec: string, parentUrl: string): string {
  const parent = fileURLToPath(parentUrl);
  const href = spec.startsWith('#')
    ? resolveImports(spec, parent, parent)
    : resolvePackage(spec, parent, parent);
  if (!href.startsWith('file:')) return href;
  const url = new URL(href);
  if (/%2f|%5c/i.test(url.pathname)) {
    throw resolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module "${spec}" imported from ${parent}`);
  }
  const path = fileURLToPath(url);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    throw resolveError(
      'ERR_UNSUPPORTED_DIR_IMPORT',
      `Directory import '${path}' is not supported resolving ES modules imported from ${parent}`,
    );
  }
  if (!stat) {
    throw resolveError('ERR_MODULE_NOT_FOUND', `Cannot find module '${path}' imported from ${parent}`);
  }
  if (preserveSymlinks()) return url.href;
  const real = pathToFileURL(realpathSync(path));
  real.search = url.search;
  real.hash = url.hash;
  return real.href;
}
