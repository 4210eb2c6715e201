// `using` and `await using` inside a thread function. Compilers that lower explicit resource management
// (TypeScript below ESNext, esbuild for every target: tsx and bundlers) turn each declaration into calls
// of helpers defined at the top of the emitted file, which a function shipped as source cannot see.
// compiler-helpers.ts hands it these instead, written from the proposal's semantics (ECMA-262
// AddDisposableResource and DisposeResources), in the two calling shapes the compilers emit:
//
//   TypeScript  const env = { stack: [], error: void 0, hasError: false };
//               try { const g = __addDisposableResource(env, value, isAsync); … }
//               catch (e) { env.error = e; env.hasError = true; }
//               finally { __disposeResources(env) }            // sync function: may throw
//               finally { const r = __disposeResources(env); if (r) await r; }   // async function
//   esbuild     var stack = [];
//               try { const g = __using(stack, value, isAsync); … }
//               catch (_) { var error = _, hasError = true; }
//               finally { __callDispose(stack, error, hasError) }                 // sync function
//               finally { var p = __callDispose(stack, error, hasError); p && await p; }
//   Oxc/Babel   try { var ctx = usingCtx(); const g = ctx.u(value); const h = ctx.a(value); … }
//   (vitest)    catch (_) { ctx.e = _; }
//               finally { ctx.d() }  /  finally { await ctx.d() }
//
// The registration helpers return the value and push a record onto a stack array that the compiled
// code creates and only our helpers read. Disposal runs the records last-in first-out; each failure
// becomes the error, wrapping the one before it as a SuppressedError (`error`: the new one,
// `suppressed`: the earlier one). It returns a promise when an `await using` was declared (even of
// null: the spec still awaits once), and otherwise runs synchronously and throws.

/** One declared resource: the value, its dispose method (none for `await using x = null`), and its kind. */
interface Resource {
  readonly value: unknown;
  readonly dispose: ((this: unknown) => unknown) | undefined;
  readonly async: boolean;
}

/** The state of a scope being disposed: the error so far, if any. */
interface Completion {
  hasError: boolean;
  error: unknown;
}

import { SuppressedError } from '../internal/suppressed-error.js';

// Polyfills conventionally register the well-known symbols in the global registry (as esbuild does).
const DISPOSE: symbol = Symbol.dispose ?? Symbol.for('Symbol.dispose');
const ASYNC_DISPOSE: symbol = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/** GetMethod: undefined for a missing (or null) method, a TypeError for one that cannot be called. */
function methodOf(value: object, key: symbol, what: string): ((this: unknown) => unknown) | undefined {
  const method = (value as Record<symbol, unknown>)[key];
  if (method == null) return undefined;
  if (typeof method !== 'function')
    throw new TypeError(`Expected ${what} to be a function, got ${typeof method}`);
  return method as (this: unknown) => unknown;
}

/** AddDisposableResource: the record for `value`, or undefined where nothing is to be disposed. */
function resource(value: unknown, async: boolean): Resource | undefined {
  if (value === null || value === undefined) {
    // `await using x = null` disposes nothing but still awaits once at the end of the scope.
    return async ? { value, dispose: undefined, async } : undefined;
  }
  const declaration = async ? 'await using' : 'using';
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(
      `Expected the value of a \`${declaration}\` declaration to be an object, got ${typeof value}`,
    );
  }
  let dispose = async ? methodOf(value, ASYNC_DISPOSE, '[Symbol.asyncDispose]') : undefined;
  if (dispose === undefined) {
    const sync = methodOf(value, DISPOSE, '[Symbol.dispose]');
    // `await using` of a sync disposable: its result is ignored, and a throw becomes a rejection.
    dispose =
      async && sync
        ? function (this: unknown) {
            try {
              sync.call(this);
              return Promise.resolve();
            } catch (err) {
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what was thrown
              return Promise.reject(err);
            }
          }
        : sync;
  }
  if (dispose === undefined) {
    throw new TypeError(
      `Expected the value of a \`${declaration}\` declaration to have a [Symbol.${async ? 'asyncDispose' : 'dispose'}]() method, got an object without one`,
    );
  }
  return { value, dispose, async };
}

/** Records a failure of one disposal: it becomes the error, suppressing the one before it. */
function fail(state: Completion, err: unknown): void {
  state.error = state.hasError
    ? new SuppressedError(err, state.error, 'An error was suppressed during disposal.')
    : err;
  state.hasError = true;
}

/** DisposeResources: synchronously where no `await using` was declared, else as a promise. */
function disposeAll(stack: Resource[], state: Completion): Promise<void> | undefined {
  if (stack.some((r) => r.async)) return disposeAsync(stack, state);
  for (let r = stack.pop(); r; r = stack.pop()) {
    try {
      r.dispose?.call(r.value);
    } catch (err) {
      fail(state, err);
    }
  }
  if (state.hasError) throw state.error;
  return undefined;
}

/**
 * The async form: each async disposal is awaited before the next resource is disposed. Resources
 * popped before the first await are disposed synchronously, as the spec has it.
 */
async function disposeAsync(stack: Resource[], state: Completion): Promise<void> {
  // `await using x = null` only asks for one await, which any awaited disposal after it provides.
  let needsAwait = false;
  let hasAwaited = false;
  for (let r = stack.pop(); r; r = stack.pop()) {
    if (!r.async && needsAwait && !hasAwaited) {
      await Promise.resolve(); // the one await that `await using x = null` asks for
      needsAwait = false;
    }
    if (r.dispose === undefined) {
      needsAwait = true;
      continue;
    }
    try {
      const result = r.dispose.call(r.value);
      if (r.async) {
        hasAwaited = true;
        await result;
      }
    } catch (err) {
      fail(state, err);
    }
  }
  if (needsAwait && !hasAwaited) await Promise.resolve();
  if (state.hasError) throw state.error;
}

/** Registers `value` on a scope's stack (where it has something to dispose) and returns it. */
function push(stack: Resource[], value: unknown, async: boolean): unknown {
  const r = resource(value, async);
  if (r) stack.push(r);
  return value;
}

/** TypeScript's scope record (`env`). */
interface DisposableEnv {
  stack: Resource[];
  error: unknown;
  hasError: boolean;
}

/** TypeScript: `__addDisposableResource(env, value, async)` registers `value` and returns it. */
export function addDisposableResource(env: DisposableEnv, value: unknown, async: boolean): unknown {
  return push(env.stack, value, async);
}

/** TypeScript: `__disposeResources(env)` disposes the scope, with the body's error if it threw. */
export function disposeResources(env: DisposableEnv): Promise<void> | undefined {
  return disposeAll(env.stack, env);
}

/** esbuild: `__using(stack, value, async)` registers `value` and returns it. */
export function using(stack: Resource[], value: unknown, async?: boolean): unknown {
  return push(stack, value, async === true);
}

/** esbuild: `__callDispose(stack, error, hasError)` disposes the scope, with the body's error if it threw. */
export function callDispose(stack: Resource[], error: unknown, hasError: unknown): Promise<void> | undefined {
  return disposeAll(stack, { error, hasError: hasError === true });
}

/** `usingCtx().e` until the scope's body throws: tells "no error" from a thrown `undefined`. */
const NO_ERROR: unknown = Object.freeze({});

/** The scope object of Oxc and Babel (`usingCtx()`): `u`/`a` register, `e` holds the body's error, `d` disposes. */
interface UsingCtx {
  e: unknown;
  u(value: unknown): unknown;
  a(value: unknown): unknown;
  d(): Promise<void> | undefined;
}

/** Oxc/Babel: `usingCtx()` opens a scope (vitest compiles `using` in test files this way). */
export function usingCtx(): UsingCtx {
  const stack: Resource[] = [];
  const ctx: UsingCtx = {
    e: NO_ERROR,
    u: (value) => push(stack, value, false),
    a: (value) => push(stack, value, true),
    d: () =>
      disposeAll(stack, { hasError: ctx.e !== NO_ERROR, error: ctx.e === NO_ERROR ? undefined : ctx.e }),
  };
  return ctx;
}
