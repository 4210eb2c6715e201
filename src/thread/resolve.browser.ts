// Browser build of resolve.ts: resolves specifiers of `import()` in shipped source and of module
// targets inside a Web Worker, where there is no node_modules and import maps do not apply.
//   - relative paths resolve against the caller's file, absolute paths against its origin;
//   - `threadkit` and `threadkit/<entry>` resolve to the browser build this code belongs to, so a
//     thread function can `await import('threadkit/thread')` as on Node;
//   - URLs are used as they are; other bare names are passed on, for the browser to report.
// Browsers have no CommonJS `require`: shipped source that calls it fails with an error saying so.

/** Entry points of the browser build (dist/browser/<entry>.js), by package subpath. */
const ENTRIES: Record<string, string> = {
  threadkit: 'index',
  'threadkit/mutex': 'mutex',
  'threadkit/thread': 'thread',
  'threadkit/threadlocal': 'threadlocal',
};

/** Resolves `specifier` as the caller's file (`base`, a URL) would. */
export function resolveSpecifier(specifier: string, base: string | undefined): string {
  const entry = ENTRIES[specifier];
  if (entry !== undefined) return new URL(`./${entry}.js`, import.meta.url).href;
  if (/^\.{0,2}\//.test(specifier)) return new URL(specifier, base ?? import.meta.url).href;
  return specifier;
}

/** Node's version gives shipped source the caller's `require`; browsers have none to give. */
export function requireFrom(_base: string | undefined): ((id: string) => unknown) | undefined {
  return undefined;
}

/** Node's version hints at './' for a bare module target naming a file; a browser has no files to look at. */
export function hintRelative(err: unknown, _spec: string, _base: string | undefined): unknown {
  return err;
}

/** Node's version names the caller's file in an import error; a browser's error names no file. */
export function blameCaller(err: unknown, _importer: string, _base: string | undefined): unknown {
  return err;
}

/** Node's version explains a TypeScript file that a thread could not load; a browser loads none. */
export function hintTypeScript(err: unknown): unknown {
  return err;
}

/** Node's version names the module a SyntaxError of its parser came from; a browser's error names it. */
export function nameUnparsed(err: unknown, _url: string): unknown {
  return err;
}
