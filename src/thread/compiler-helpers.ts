// What a thread function's source may call without defining it: the helpers that compilers emit for
// syntax they lower. TypeScript (tsc) and esbuild (tsx, tsup, bundlers) define such helpers once at the
// top of the emitted file and call them from inside functions, so a function shipped to a thread as
// source text calls names that do not exist there. compile.ts hands the function the ones listed in
// HELPERS, implemented here from the semantics of the syntax they stand for:
//
//   name                        emitted by   for
//   __name                      esbuild      keepNames (tsx, vitest): a function's `name`
//   __addDisposableResource,    tsc          `using` / `await using` (target below ESNext)
//   __disposeResources
//   __using, __callDispose      esbuild      `using` / `await using` (every target)
//   (an import of usingCtx)     Oxc, Babel   `using` / `await using` (vitest 4 test files): the scope
//                                            is `var _usingCtx = usingCtx()`, where `usingCtx` is a
//                                            binding the file imports (vitest: `(0, __vite_ssr_import_1__.default)`)
//   __rest / __objRest          tsc/esbuild  object rest `{ a, ...rest }` (target below ES2018)
//   __restKey                   esbuild      a computed key beside object rest `{ [k]: v, ...rest }`
//   __setFunctionName,          tsc          the `name` of an anonymous function or class that syntax
//   __propKey                                names (`using x = () => {}` below ESNext; a class
//                                            expression with static fields below ES2022), and the
//                                            computed key it is named after
//   __awaiter / __async         tsc/esbuild  async functions (target below ES2017), on generators
//   __importStar,               tsc          `await import(x)` / default imports under "module":
//   __importDefault                          "commonjs" with esModuleInterop (with `require`)
//
// Only the names that occur in a function's text are passed to it (see helpersUsedBy), so a function
// that calls none pays nothing. Other helpers are named in KNOWN_HELPERS, for an error that says what
// they are and how to avoid them.
import { addDisposableResource, callDispose, disposeResources, using, usingCtx } from './disposal-helpers.js';

/** esbuild's `__name(fn, name)`: sets a function's `name`, as its source had it. */
const keepName = (fn: unknown, name: string): unknown =>
  Object.defineProperty(fn as object, 'name', { value: name, configurable: true });

/**
 * Object rest, `const { a, ...rest } = source`: a plain object with the source's own enumerable
 * properties (strings, then symbols, in order) but the excluded keys, as CopyDataProperties does.
 */
function objectRest(source: unknown, excluded: readonly PropertyKey[]): Record<PropertyKey, unknown> {
  if (source === null || source === undefined) {
    throw new TypeError(`Cannot destructure '${String(source)}' as it is ${String(source)}.`);
  }
  const from = Object(source) as Record<PropertyKey, unknown>;
  const rest: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(from)) {
    if (excluded.includes(key) || !Object.getOwnPropertyDescriptor(from, key)?.enumerable) continue;
    // A data property even for a key named `__proto__`, which plain assignment would not create.
    Object.defineProperty(rest, key, {
      value: from[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return rest;
}

/**
 * A computed key as the property key it names: a symbol as it is, anything else as a string. esbuild's
 * `__restKey(key)` converts as `key + ''` does; tsc's `__propKey(key)` as a string concatenation does
 * (an object key's `toString` before its `valueOf`, as the language converts a computed key).
 */
const restKey = (key: unknown): string | symbol =>
  // eslint-disable-next-line @typescript-eslint/restrict-plus-operands -- the conversion is what is meant
  typeof key === 'symbol' ? key : key + '';
const propKey = (key: unknown): string | symbol => (typeof key === 'symbol' ? key : ''.concat(key as string));

/**
 * tsc's `__setFunctionName(fn, name, prefix?)`: gives `fn` the `name` that syntax names it with, as
 * the language would have (configurable, not writable): `prefix name` where there is a prefix (`get`,
 * `set`), and a symbol's description in brackets (nothing for a symbol without one). Returns `fn`.
 */
function setFunctionName(fn: unknown, name: string | symbol, prefix?: string): unknown {
  const base = typeof name === 'symbol' ? (name.description ? `[${name.description}]` : '') : name;
  return Object.defineProperty(fn as object, 'name', {
    value: prefix ? `${prefix} ${base}` : base,
    configurable: true,
  });
}

type PromiseCtor = new (
  executor: (resolve: (v: unknown) => void, reject: (e: unknown) => void) => void,
) => PromiseLike<unknown>;

/**
 * An async function lowered to a generator: runs `body` (a generator function) with `thisArg` and
 * `args`, awaiting each value it yields and resuming it with the outcome; resolves with what it
 * returns. `P` is the promise class to use (TypeScript passes one only for ES5 targets).
 */
function runAsync(
  thisArg: unknown,
  args: ArrayLike<unknown> | null | undefined,
  P: PromiseCtor | undefined,
  body: (...a: unknown[]) => Generator,
): PromiseLike<unknown> {
  const Ctor: PromiseCtor = P ?? Promise;
  return new Ctor((resolve, reject) => {
    const gen = body.apply(thisArg, (args ?? []) as unknown[]); // `arguments` is array-like enough
    const step = (resume: () => IteratorResult<unknown>) => {
      let next: IteratorResult<unknown>;
      try {
        next = resume();
      } catch (err) {
        reject(err);
        return;
      }
      if (next.done) {
        resolve(next.value);
        return;
      }
      // `await v`: v itself if it is already a promise of this class, else a promise resolved with it.
      const value = next.value;
      const awaited = value instanceof Ctor ? value : new Ctor((res) => res(value));
      awaited.then(
        (v) => step(() => gen.next(v)),
        (e) => step(() => gen.throw(e)),
      );
    };
    step(() => gen.next());
  });
}

/** tsc's `__awaiter(thisArg, arguments, P, generatorFn)`. */
const awaiter = runAsync;
/** esbuild's `__async(this, arguments, generatorFn)`. */
const asyncFn = (thisArg: unknown, args: ArrayLike<unknown> | null, body: (...a: unknown[]) => Generator) =>
  runAsync(thisArg, args, undefined, body);

/**
 * `import * as ns from 'x'` of a CommonJS module (esModuleInterop): an ES module compiled to CommonJS
 * (marked `__esModule`) as it is; otherwise a namespace whose named exports read the module's own
 * properties live and whose `default` is the module itself.
 */
function importStar(mod: unknown): unknown {
  if ((mod as { __esModule?: unknown } | null)?.__esModule) return mod;
  const ns: Record<string, unknown> = {};
  if (mod !== null && mod !== undefined) {
    for (const key of Object.getOwnPropertyNames(mod)) {
      if (key === 'default') continue;
      Object.defineProperty(ns, key, { enumerable: true, get: () => (mod as Record<string, unknown>)[key] });
    }
  }
  Object.defineProperty(ns, 'default', { enumerable: true, value: mod });
  return ns;
}

/** `import x from 'x'` of a CommonJS module (esModuleInterop): `{ default: module }` unless marked `__esModule`. */
function importDefault(mod: unknown): unknown {
  return (mod as { __esModule?: unknown } | null)?.__esModule ? mod : { default: mod };
}

/** The helpers a thread function is given, by the name compilers call them. */
export const HELPERS: Readonly<Record<string, unknown>> = {
  __name: keepName,
  __addDisposableResource: addDisposableResource,
  __disposeResources: disposeResources,
  __using: using,
  __callDispose: callDispose,
  __rest: objectRest,
  __objRest: objectRest,
  __restKey: restKey,
  __propKey: propKey,
  __setFunctionName: setFunctionName,
  __awaiter: awaiter,
  __async: asyncFn,
  __importStar: importStar,
  __importDefault: importDefault,
};

/** A name as a free identifier: not part of a longer name, nor a property (`x.__name`). */
const USED = new RegExp(`(?<![\\w$.])(?:${[...Object.keys(HELPERS), 'require'].join('|')})(?![\\w$])`, 'g');

/**
 * Oxc and Babel open each `using` scope with `var _usingCtx = <helper>()`, where the helper is an
 * import of the file (or a function of it): a binding named like the scope (`_usingCtx2()`), or
 * vitest's rewrite of an import (`(0, __vite_ssr_import_1__.default)()`, the module's default export).
 */
const USING_CTX =
  /\b_usingCtx\d*\s*=\s*(?:\(\s*0\s*,\s*(__vite_ssr_import_\d+__)\.default\s*\)|(_usingCtx\d*))\s*\(\s*\)/g;

/**
 * The helpers that `code` calls, by the name it calls them: keys of HELPERS and `require` that it
 * mentions, and the bindings through which it calls Oxc's `usingCtx`. A cheap textual check: a name in
 * a string or comment counts too, which only costs passing that helper.
 */
export function helpersUsedBy(code: string): Map<string, unknown> {
  const used = new Map<string, unknown>();
  for (const name of code.match(USED) ?? []) used.set(name, HELPERS[name]);
  if (code.includes('_usingCtx')) {
    for (const [, module, binding] of code.matchAll(USING_CTX)) {
      if (module !== undefined) used.set(module, { default: usingCtx });
      else if (binding !== undefined) used.set(binding, usingCtx);
    }
  }
  return used;
}

/** Helpers that compilers emit and threads are not given: each with the syntax it stands for. */
const KNOWN_HELPERS: Readonly<Record<string, string>> = {
  // TypeScript (tslib's names).
  __generator: 'generators and async functions (target below ES2015)',
  __values: 'for…of and spread (target below ES2015)',
  __read: 'destructuring and spread (target below ES2015)',
  __spread: 'spread (target below ES2015)',
  __spreadArray: 'spread (target below ES2015)',
  __spreadArrays: 'spread (target below ES2015)',
  __assign: 'object spread (target below ES2015)',
  __extends: 'classes (target below ES2015)',
  __makeTemplateObject: 'tagged templates (target below ES2015)',
  __await: 'async generators (target below ES2018)',
  __asyncGenerator: 'async generators (target below ES2018)',
  __asyncDelegator: 'async generators (target below ES2018)',
  __asyncValues: 'for await…of (target below ES2018)',
  __classPrivateFieldGet: 'private class fields (target below ES2022)',
  __classPrivateFieldSet: 'private class fields (target below ES2022)',
  __classPrivateFieldIn: 'private class fields (target below ES2022)',
  __decorate: 'decorators',
  __param: 'parameter decorators',
  __metadata: 'decorator metadata',
  __esDecorate: 'decorators',
  __runInitializers: 'decorators',
  __createBinding: 'module interop',
  __setModuleDefault: 'module interop',
  __exportStar: 'module interop',
  __rewriteRelativeImportExtension: 'rewriteRelativeImportExtensions',
  // esbuild.
  __spreadValues: 'object spread (target below ES2018)',
  __spreadProps: 'object spread (target below ES2018)',
  __pow: 'the ** operator (target below ES2016)',
  __publicField: 'class fields',
  __privateGet: 'private class members',
  __privateSet: 'private class members',
  __privateAdd: 'private class members',
  __privateMethod: 'private class members',
  __privateWrapper: 'private class members',
  __privateIn: 'private class members',
  __superGet: 'super in async methods',
  __superSet: 'super in async methods',
  __template: 'tagged templates',
  __yieldStar: 'async generators',
  __forAwait: 'for await…of',
  __decorateClass: 'decorators',
  __decorateParam: 'parameter decorators',
  __decoratorStart: 'decorators',
  __decorateElement: 'decorators',
  __toESM: 'module interop',
  __toCommonJS: 'module interop',
  __require: 'require in bundled ES modules',
};

/**
 * What the compiler meant by a free name it put in a function, for the error that names it; undefined
 * for a name no compiler emits.
 */
export function compilerHelperNote(name: string): string | undefined {
  if (/^__vite_ssr_import_\d+__$/.test(name)) {
    return (
      `it is how vitest (Vite) refers to something imported at the top of the file that created the ` +
      `thread, and a thread function cannot see the variables around it: import what the function ` +
      `uses inside it, with \`await import()\``
    );
  }
  if (/^tslib(_\d+)?$/.test(name)) {
    return (
      `it is how TypeScript calls its helpers under "importHelpers": true, and the thread function ` +
      `cannot see the file's imports. Compile without "importHelpers", or for a newer "target"`
    );
  }
  const syntax = Object.hasOwn(KNOWN_HELPERS, name) ? KNOWN_HELPERS[name] : undefined;
  if (syntax === undefined) return undefined;
  return (
    `it is a helper that the compiler (TypeScript or esbuild) puts at the top of the file for ${syntax}, ` +
    `and the thread function cannot see it. Compile for a newer "target" (tsconfig.json, or esbuild's ` +
    `\`target\`) so that the syntax is kept, or put the function in a module and run that: ` +
    `\`new Thread(new URL('./work.js', import.meta.url), { export: 'name' })\``
  );
}
