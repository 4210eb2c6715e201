// Node build: resolves specifiers of `import()` in shipped source and of module targets as the caller's
// file would, and gives shipped source the caller's `require` (resolve.browser.ts is the browser
// build's version).
import { existsSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readConfig, resolveImport } from './esm-resolve.js';
import { BOOTSTRAP_URLS } from './worker-url.js';

/** Nearest package.json with a name, above a file: identifies which package a resolved file is in. */
const packageRoots = new Map<string, string | undefined>();
function packageRoot(file: string): string | undefined {
  let dir = dirname(file);
  const seen: string[] = [];
  for (;;) {
    if (packageRoots.has(dir)) break;
    seen.push(dir);
    try {
      if (readConfig(join(dir, 'package.json'))?.name !== undefined) {
        packageRoots.set(dir, dir);
        break;
      }
    } catch {
      // invalid package.json: keep looking up
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

/** Whether plain `import(spec)` from threadkit's own files finds `spec`. */
function resolvesHere(spec: string): boolean {
  try {
    // The CommonJS build has no import.meta.resolve (its import.meta.url is tsup's shim).
    if (typeof import.meta.resolve === 'function') import.meta.resolve(spec);
    else resolveImport(spec, import.meta.url);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a bare specifier as `import()` in the caller's file would (esm-resolve.ts). Where that
 * fails, what the caller's `require` would find (NODE_PATH, extensionless subpaths, require-only
 * exports), preferring the package's ESM entry when plain `import` resolution from here lands in the
 * same package, so one package is not loaded twice in CJS and ESM form. Where that fails too, plain
 * `import()` from here (threadkit itself); else the ESM resolution error, which names the caller.
 */
function resolveBare(spec: string, base: string): string {
  let esmError: unknown;
  try {
    return resolveImport(spec, base);
  } catch (err) {
    esmError = err;
  }
  let required: string;
  try {
    required = createRequire(base).resolve(spec);
  } catch {
    if (resolvesHere(spec)) return spec;
    throw esmError;
  }
  try {
    const esm = import.meta.resolve(spec);
    if (esm.startsWith('file:') && packageRoot(fileURLToPath(esm)) === packageRoot(required)) return esm;
  } catch {
    // not resolvable from here: use what the caller sees
  }
  return pathToFileURL(required).href;
}

/** Bare specifiers resolved (never failures), by caller file and specifier. */
const resolvedBare = new Map<string, string>();

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
  if (!base?.startsWith('file:')) return spec;
  // Cached: a thread function may import on every call, and resolving walks the file system.
  const key = `${base}\n${spec}`;
  let url = resolvedBare.get(key);
  if (url === undefined) resolvedBare.set(key, (url = resolveBare(spec, base)));
  return url;
}

/** Replaces `err`'s message with `message`, in its stack too (which starts with the old one). */
function rewriteMessage(err: Error, message: string): Error {
  if (typeof err.stack === 'string') err.stack = err.stack.replace(err.message, message);
  err.message = message;
  return err;
}

/** Paths of the bootstrap files: in the CommonJS build, the file that runs `import()` is one of them. */
let bootstrapPaths: ReadonlySet<string> | undefined;

/**
 * Whether `path` is the file of threadkit's that ran an `import()`: `importer` (the URL of the module
 * with the `import()`, as its `import.meta.url` says), or a worker bootstrap (the CommonJS build's
 * `import.meta.url` is tsup's shim, which names the chunk holding the shim, not the bootstrap that
 * the `import()` was bundled into). Exact files, not their folder: an app that bundles threadkit has
 * its own modules beside these.
 */
function isOwnImporter(path: string, importer: string): boolean {
  if (path === fileURLToPath(importer)) return true;
  bootstrapPaths ??= new Set(
    BOOTSTRAP_URLS.filter((u) => u.protocol === 'file:').map((u) => fileURLToPath(u)),
  );
  return bootstrapPaths.has(path);
}

/**
 * Names the file that created the thread (`base`) in an error of an `import()` that threadkit ran for
 * it: Node names the file that ran the `import()` ("Cannot find module '/app/x.mjs' imported from
 * …/threadkit/dist/thread-worker.js"), which means nothing to the user. `importer` is the URL of the
 * module that ran it (see isOwnImporter). Errors from deeper down (a module the import loaded names
 * its own file, wherever it is) are left alone. Returns `err`, changed in place.
 */
export function blameCaller(err: unknown, importer: string, base: string | undefined): unknown {
  if (!base?.startsWith('file:') || !importer.startsWith('file:') || !(err instanceof Error)) return err;
  const from = / imported from (.+)$/.exec(err.message);
  if (!from || !isOwnImporter(from[1]!, importer)) return err;
  return rewriteMessage(err, `${err.message.slice(0, from.index)} imported from ${fileURLToPath(base)}`);
}

/**
 * Names the module in the SyntaxError of one that does not parse: Node's says only what it met
 * ("Unexpected token ';'"), with a stack of its own internals. Node shows the file beside an uncaught
 * one, but this one goes to the thread's caller, in another thread, as data: without this nothing
 * names the file. `url` is what was imported; the culprit may be a module it imports, which Node does
 * not name either. Errors whose stack names the file (a CommonJS module's, one that top-level code
 * threw) are left alone. Returns a new error, not `err` changed: the module cache keeps `err` and
 * throws it again at every later import of that module, or of another module that imports it.
 */
export function nameUnparsed(err: unknown, url: string): unknown {
  if (!(err instanceof SyntaxError) || !url.startsWith('file:') || typeof err.stack !== 'string') return err;
  const path = fileURLToPath(url);
  if (err.stack.includes(url) || err.stack.includes(path)) return err;
  const named = new SyntaxError(`${err.message} (in ${path}, or a module it imports)`);
  named.stack = err.stack.replace(err.message, named.message);
  return named;
}

/** Resolution errors that a module path meant relative, but written bare, runs into. */
const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

/**
 * A module target written as a bare specifier (`'lib/w.mjs'`) is a package name, as in `import()`.
 * Where it fails to resolve as one but names a file next to the caller's file (`base`), adds
 * "did you mean './lib/w.mjs'?" to the error. Returns `err`, changed in place.
 */
export function hintRelative(err: unknown, spec: string, base: string | undefined): unknown {
  if (!(err instanceof Error) || !NOT_FOUND.has((err as { code?: string }).code ?? '')) return err;
  if (!base?.startsWith('file:') || /^[.\\/]|^[a-z][a-z\d+.-]*:/i.test(spec) || isBuiltin(spec)) return err;
  let exists = false;
  try {
    exists = existsSync(fileURLToPath(new URL(spec, base)));
  } catch {
    // not a path this file system has
  }
  if (!exists) return err;
  return rewriteMessage(
    err,
    `${err.message}; did you mean './${spec}'? A module path is resolved as \`import()\` resolves it: ` +
      `relative to the file that created the thread only when it starts with ./ or ../, else as a package`,
  );
}

/** For each JavaScript extension an import may be written with, the TypeScript sources it may mean. */
const TS_SOURCES: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

/** The TypeScript file that an import error is about: the file itself, or the source of a missing .js. */
function typeScriptFileOf(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return /^Unknown file extension "\.[cm]?tsx?" for (.+)$/.exec(err.message)?.[1];
  }
  if (code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const url = (err as { url?: unknown }).url;
  const path =
    typeof url === 'string' && url.startsWith('file:')
      ? fileURLToPath(url)
      : /^Cannot find module '([^']+)'/.exec(err.message)?.[1];
  if (path === undefined || !isAbsolute(path)) return undefined;
  const ext = extname(path);
  for (const ts of TS_SOURCES[ext] ?? []) {
    const source = path.slice(0, -ext.length) + ts;
    if (existsSync(source)) return source;
  }
  return undefined;
}

/**
 * Says why a TypeScript file did not load in a thread, where that is the reason for `err` (the file
 * has an unknown extension, or a `.js` import is missing but its `.ts` source is there): the thread
 * has no TypeScript loader, which on Node 20 is so even under `tsx`, as loaders registered with
 * `--import` do not reach worker threads there. Returns `err`, changed in place.
 */
export function hintTypeScript(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const file = typeScriptFileOf(err);
  if (file === undefined) return err;
  const major = Number(/^(\d+)\./.exec(process.versions.node)?.[1]);
  const why =
    major < 22
      ? 'on Node 20, a loader registered with `tsx` or `node --import tsx` does not reach worker ' +
        'threads (from Node 22 it does). Import JavaScript in the thread (build it first), load it ' +
        "with `require()` inside the thread function (tsx's CommonJS hook does reach threads), or run " +
        'on Node 22 or later'
      : 'start the program with one (`tsx`, or `node --import tsx`), or import JavaScript in the ' +
        'thread (build it first)';
  return rewriteMessage(
    err,
    `${err.message}; ${basename(file)} is TypeScript, and this thread has no loader for it: ${why}`,
  );
}

/**
 * The `require` of the caller's file (`base`), for shipped source that calls it: plain CommonJS, and
 * TypeScript's "module": "commonjs" output, which turns `await import(x)` into `require(x)`. Without a
 * caller file (a REPL), `require` resolves from the working directory, as the REPL's does.
 */
export function requireFrom(base: string | undefined): ((id: string) => unknown) | undefined {
  return createRequire(base?.startsWith('file:') ? base : join(process.cwd(), '[thread]'));
}
