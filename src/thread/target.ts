// Caller side of shipping a target to a worker: a function becomes source text (checked once to be
// an expression the worker can compile), a module becomes a specifier plus export name. Each distinct
// target gets a small numeric id; a worker is sent the definition once and then only the id.
import { callerUrl } from './callsite.js';
import { describe } from '../internal/validate.js';

/** What a worker needs to build a target the first time it sees its id. */
export interface TargetDef {
  readonly id: number;
  readonly kind: 'fn' | 'module';
  /** 'fn': an expression evaluating to the function; 'module': the specifier or URL. */
  readonly code: string;
  /** 'module': the export to call. */
  readonly exportName: string;
  /** The file that created the thread or submitted the task: base for `import()` and relative paths. */
  readonly callerUrl: string | undefined;
}

/** A thread target as the public API accepts it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Target = ((...args: any[]) => unknown) | URL | string;

/**
 * Whether a function's source may load modules (`import()`, vitest's rewrite of it, `require()`): only
 * then does it need the caller's file, and the worker loaders that can load what it names.
 */
export const loadsModules = (code: string): boolean =>
  /\b(?:import|require)\b|__vite_ssr_dynamic_import__/.test(code);

let nextId = 1;
const byFunction = new WeakMap<object, TargetDef>();
const byKey = new Map<string, TargetDef>();

/** How the source of a plain function or an arrow starts; a method's (`m() {`, `get x() {`) does not. */
const FUNCTION_START = /^(?:async\s*)?(?:function\b|\(|[\w$]+\s*=>)/;

/**
 * Turns a function's source into an expression: plain functions and arrows as they are, methods
 * wrapped. Where neither form compiles, the SyntaxError of the form that the source looks like.
 */
function toExpression(source: string): string | SyntaxError {
  const errors: unknown[] = [];
  for (const expr of [`(${source}\n)`, `Object.values({${source}\n})[0]`]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- parse check only; never called
      new Function(`return ${expr}`);
      return expr;
    } catch (err) {
      errors.push(err); // not this form; try the next
    }
  }
  const err = errors[FUNCTION_START.test(source) ? 0 : 1];
  return err instanceof SyntaxError ? err : new SyntaxError(String(err));
}

/** `import.meta` outside strings and comments is not told apart here: this only picks a message. */
const IMPORT_META = /\bimport\s*\.\s*meta\b/;

/** The error for a function whose source does not compile outside its file. */
function notStandalone(source: string, param: string, syntaxError: SyntaxError): TypeError {
  const head = `Expected \`${param}\` to be a function whose source compiles on its own`;
  if (IMPORT_META.test(source)) {
    return new TypeError(
      `${head}, got one that uses \`import.meta\`: a thread function is compiled in the thread as a ` +
        `plain function, not as part of a module, so it has no \`import.meta\`. Pass what it needs in ` +
        `\`args\` (\`import.meta.url\`, or a path made from it); \`await import('./x.js')\` inside the ` +
        `function already resolves relative to this file`,
    );
  }
  return new TypeError(`${head} (${syntaxError.message}), got: ${source.slice(0, 80)}`);
}

/** Whether `fn` is a `function*` or an `async function*` (also as a method: `*gen() {}`). */
function isGeneratorFunction(fn: object): boolean {
  const tag = Object.prototype.toString.call(fn);
  return tag === '[object GeneratorFunction]' || tag === '[object AsyncGeneratorFunction]';
}

function fnDef(fn: (...args: never[]) => unknown, param: string): TargetDef {
  const cached = byFunction.get(fn);
  if (cached) return cached;
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `Expected \`${param}\` to be a function written in JavaScript (it is shipped to the thread as source), got a native or bound function`,
    );
  }
  if (/^class\b/.test(source)) {
    throw new TypeError(`Expected \`${param}\` to be a function, got a class`);
  }
  if (isGeneratorFunction(fn)) {
    throw new TypeError(
      `Expected \`${param}\` to be a function that returns its result, got a generator function: the ` +
        `generator it returns cannot be sent back from the thread. Collect what it yields (\`[...gen()]\`, ` +
        `or \`for await\` into an array) inside a plain or async function, and return that`,
    );
  }
  // The caller's file only matters to code that imports; skip the stack walk otherwise.
  const base = loadsModules(source) ? callerUrl() : undefined;
  const key = `fn\0${base ?? ''}\0${source}`;
  let def = byKey.get(key);
  if (!def) {
    const code = toExpression(source);
    if (typeof code !== 'string') throw notStandalone(source, param, code);
    def = { id: nextId++, kind: 'fn', code, exportName: '', callerUrl: base };
    byKey.set(key, def);
  }
  byFunction.set(fn, def);
  return def;
}

/**
 * Validates a target and returns its definition (cached: the same function or module always gets the
 * same id).
 */
export function targetDef(target: unknown, exportName: unknown, param = 'target'): TargetDef {
  if (typeof target === 'function') {
    if (exportName !== undefined) {
      throw new TypeError(
        `Expected \`export\` to be undefined when \`${param}\` is a function, got ${describe(exportName)}`,
      );
    }
    return fnDef(target as (...args: never[]) => unknown, param);
  }
  if (!(target instanceof URL) && typeof target !== 'string') {
    // Python's Thread(target=fn, args=(...)) ported as one object: new Thread({ target: fn, args }).
    const pythonStyle =
      target !== null && typeof target === 'object' && 'target' in target
        ? `; the function goes first, then the options: (fn, { args: [...] }), not Python's (target=fn, args=...)`
        : '';
    throw new TypeError(
      `Expected \`${param}\` to be a function, a URL or a module path, got ${describe(target)}${pythonStyle}`,
    );
  }
  if (exportName !== undefined && typeof exportName !== 'string') {
    throw new TypeError(`Expected \`export\` to be a string, got ${describe(exportName)}`);
  }
  const code = target instanceof URL ? target.href : target;
  if (code === '') throw new TypeError(`Expected \`${param}\` to be a non-empty module path, got ""`);
  const name = exportName ?? 'default';
  const base =
    /^\.{1,2}[\\/]/.test(code) || !/^[a-z][a-z\d+.-]*:|^[\\/]/i.test(code) ? callerUrl() : undefined;
  const key = `module\0${base ?? ''}\0${name}\0${code}`;
  let def = byKey.get(key);
  if (!def) {
    def = { id: nextId++, kind: 'module', code, exportName: name, callerUrl: base };
    byKey.set(key, def);
  }
  return def;
}
