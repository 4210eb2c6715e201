import { checkOptions, describe, type OptionKeys } from '../internal/validate.js';
import { allocateSlot, box, currentSlots, namedSlot, runWithSlots, unbox } from './slots.js';
import { registerThreadBound } from '../internal/thread-bound.js';

/**
 * Options of {@link ThreadLocal}.
 *
 * @example
 * ```ts
 * import { ThreadLocal } from 'threadkit/threadlocal';
 * const requestId = new ThreadLocal<string>({ name: 'requestId', inheritable: true, initial: () => 'none' });
 * console.log(requestId.get()); // 'none'
 * requestId.run('req-42', () => console.log(requestId.get())); // 'req-42'
 * ```
 */
export interface ThreadLocalOptions<T> {
  /**
   * Computes the value for a context that reads the local without one. Called lazily, at most once
   * per thread and per context (a {@link ThreadLocal.run} scope, an {@link isolate} call, a pool task):
   * its result is stored as if {@link ThreadLocal.set} had been called there. Not called again after
   * that unless the value is deleted.
   *
   * @default undefined (get() returns undefined when no value is set)
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const cache = new ThreadLocal({ initial: () => new Map<string, number>() });
   * ```
   */
  readonly initial?: (() => T) | undefined;
  /**
   * Copy the value into every Thread created and every pool task submitted while it is set (by
   * structured clone). Requires {@link ThreadLocalOptions.name | name}.
   *
   * @default false
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const requestId = new ThreadLocal<string>({ inheritable: true, name: 'requestId' });
   * ```
   */
  readonly inheritable?: boolean | undefined;
  /**
   * A name for messages; for an inheritable local, its identity across threads: the value inherited
   * under this name is what `new ThreadLocal({ inheritable: true, name })` starts with in the new
   * thread. All inheritable locals with one name in one thread are the same variable.
   *
   * @default undefined
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>({ name: 'user' });
   * ```
   */
  readonly name?: string | undefined;
}

/**
 * Throws unless `value` is undefined or a boolean. Shared with {@link local}.
 *
 * @internal
 */
export function checkInheritable(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected \`inheritable\` to be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * Throws unless `fn` is a function.
 *
 * @internal
 */
export function checkCallback(fn: unknown, name = 'fn'): void {
  if (typeof fn !== 'function') {
    throw new TypeError(`Expected \`${name}\` to be a function, got ${describe(fn)}`);
  }
}

/** Every key of {@link ThreadLocalOptions}: checkOptions refuses any other. */
const THREAD_LOCAL_KEYS: OptionKeys<ThreadLocalOptions<unknown>> = {
  inheritable: true,
  initial: true,
  name: true,
};

/**
 * A variable with one value per thread, and within a thread one value per async context, like
 * Python's `threading.local` and `contextvars.ContextVar` in one.
 *
 * - **Per thread.** Every Thread, pool task and worker starts without the values set elsewhere (or
 *   with `initial()`), except inheritable locals, which are copied into Threads and pool tasks.
 * - **Follows async work.** A value set or `run()` in a context is seen by the async work started
 *   there while it held: `await`, promise callbacks, timers, `queueMicrotask`, I/O callbacks.
 *   EventEmitter listeners run in the context of the code that calls `emit()`; wrap a listener in
 *   {@link ThreadLocal.bind} to run it in the context that registered it.
 * - **Scopes.** {@link ThreadLocal.run} scopes a value to a callback and everything it starts; nested
 *   runs shadow and restore. {@link ThreadLocal.set} changes the current scope only; outside every
 *   scope it sets the thread's root value. {@link isolate} gives a callback its own copy of every
 *   thread-local.
 * - **Without AsyncLocalStorage** (browsers) values are per thread and `run()`/`isolate()` scope only
 *   the synchronous callback: async work started inside sees the values current when it runs.
 *
 * Create thread-locals once, at module level: each takes a slot for the life of the thread.
 *
 * @typeParam T - the type of the value
 * @example
 * ```ts
 * import { ThreadLocal } from 'threadkit/threadlocal';
 *
 * const requestId = new ThreadLocal<string>();
 *
 * async function log(message: string) {
 *   await Promise.resolve();
 *   console.log(`[${requestId.get()}] ${message}`);
 * }
 *
 * await Promise.all([
 *   requestId.run('a', () => log('one')), // [a] one
 *   requestId.run('b', () => log('two')), // [b] two
 * ]);
 * ```
 */
export class ThreadLocal<T> {
  /** This local's index in every context array; shared by inheritable locals with the same name. */
  readonly #slot: number;
  /** Computes the value of a context that has none; undefined when no `initial` was given. */
  readonly #initial: (() => T) | undefined;

  /**
   * @param options - {@link ThreadLocalOptions}
   * @throws TypeError if `initial` is not a function, `inheritable` not a boolean, `name` not a
   *   string, or `inheritable` is true without a `name`.
   * @throws TypeError if `options` has a key it does not know (naming the key)
   */
  constructor(options?: ThreadLocalOptions<T>) {
    const { initial, inheritable, name } = checkOptions<ThreadLocalOptions<T>>(
      options,
      THREAD_LOCAL_KEYS,
      'new ThreadLocal()',
    );
    if (initial !== undefined && typeof initial !== 'function') {
      throw new TypeError(`Expected \`initial\` to be a function, got ${describe(initial)}`);
    }
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`Expected \`name\` to be a string, got ${describe(name)}`);
    }
    if (checkInheritable(inheritable)) {
      if (!name) {
        throw new TypeError(
          `Expected \`name\` to be a non-empty string when \`inheritable\` is true, got ${describe(name)}`,
        );
      }
      this.#slot = namedSlot(name);
    } else {
      this.#slot = allocateSlot();
    }
    this.#initial = initial;
  }

  /**
   * The value in the current context. If there is none and an `initial` function was given, calls
   * it, stores its result in the current context and returns it.
   *
   * @returns the value, or undefined when none is set and there is no `initial`
   * @throws whatever `initial()` throws (nothing is stored then)
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const counter = new ThreadLocal({ initial: () => 0 });
   * counter.get(); // 0 (initial() ran once for this context)
   * ```
   */
  get(): T | undefined {
    const slots = currentSlots();
    const stored = slots[this.#slot];
    if (stored !== undefined) return unbox(stored) as T;
    return this.#initial === undefined ? undefined : this.#initialize(slots);
  }

  /** Runs `initial()` for a context without a value and stores the result there. */
  #initialize(slots: unknown[]): T {
    const value = (this.#initial as () => T)();
    slots[this.#slot] = box(value);
    return value;
  }

  /**
   * Sets the value of the current scope: inside {@link ThreadLocal.run} or {@link isolate}, for that
   * scope (and the async work it started) only; outside every scope, the thread's root value.
   *
   * @param value - the new value (`undefined` is a value: has() is then true)
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>();
   * user.set('alice');
   * user.run('bob', () => user.set('carol')); // changes the run scope only
   * user.get(); // 'alice'
   * ```
   */
  set(value: T): void {
    currentSlots()[this.#slot] = box(value);
  }

  /**
   * Whether the current context has a value (set, run, inherited, or produced by an earlier
   * `initial()` call). Does not call `initial()`.
   *
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>();
   * user.has(); // false
   * user.run('bob', () => user.has()); // true
   * ```
   */
  has(): boolean {
    return currentSlots()[this.#slot] !== undefined;
  }

  /**
   * Removes the value of the current scope (the next get() calls `initial()` again, if given).
   * Outer scopes keep theirs.
   *
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>();
   * user.set('alice');
   * user.delete();
   * user.get(); // undefined
   * ```
   */
  delete(): void {
    currentSlots()[this.#slot] = undefined;
  }

  /**
   * Calls `fn` with this local set to `value`, for `fn` and all async work it starts (callbacks,
   * awaits, timers), also after `run()` has returned. The scope starts from a copy of the current
   * values of every other thread-local; changes made outside afterwards are not seen inside. Nested
   * runs shadow the outer value and restore it when they end.
   *
   * @param value - the value inside the scope
   * @param fn - called synchronously, with no arguments
   * @returns what `fn` returns (a promise stays in the scope until it settles)
   * @throws TypeError if `fn` is not a function; otherwise whatever `fn` throws
   * @example
   * ```ts
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>();
   * await user.run('alice', async () => {
   *   await new Promise((r) => setTimeout(r, 10));
   *   console.log(user.get()); // 'alice'
   * });
   * console.log(user.get()); // undefined
   * ```
   */
  run<R>(value: T, fn: () => R): R {
    if (typeof fn !== 'function') checkCallback(fn);
    const slots = currentSlots().slice();
    slots[this.#slot] = box(value);
    return runWithSlots(slots, fn);
  }

  /**
   * Returns `fn` bound to the current context of every thread-local: wherever and whenever the result
   * is called, `fn` sees the values seen here, and `set()` inside it changes this context (as async
   * work started here would). Use it for callbacks that something else calls later in its own
   * context, above all EventEmitter listeners, which otherwise run in the context of the code that
   * calls `emit()`. Unlike `AsyncResource.bind` it works in every runtime, browsers included.
   *
   * @param fn - the callback to bind; `this` and arguments pass through
   * @returns a function that calls `fn` in the context captured now; like `Function.prototype.bind`
   *   its `length` is `fn.length` and its `name` is `'bound '` followed by `fn.name`
   * @throws TypeError if `fn` is not a function
   * @example
   * ```ts
   * import { EventEmitter } from 'node:events';
   * import { ThreadLocal } from 'threadkit/threadlocal';
   * const user = new ThreadLocal<string>();
   * const emitter = new EventEmitter();
   * user.run('alice', () => emitter.on('data', ThreadLocal.bind(() => console.log(user.get()))));
   * user.run('bob', () => emitter.emit('data')); // alice
   * ```
   */
  static bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    if (typeof fn !== 'function') checkCallback(fn);
    const slots = currentSlots();
    const bound = function (this: unknown, ...args: A): R {
      return runWithSlots(slots, () => fn.apply(this, args));
    };
    // As Function.prototype.bind does (AsyncResource.bind keeps `length` too): code that looks at a
    // callback's arity or name sees the original's.
    const name = typeof fn.name === 'string' ? fn.name : '';
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    Object.defineProperty(bound, 'name', { value: `bound ${name}`, configurable: true });
    return bound;
  }
}

registerThreadBound({
  name: 'ThreadLocal',
  type: ThreadLocal,
  advice:
    'a ThreadLocal belongs to the thread that created it, and holds a value per thread. Send its ' +
    'value (`.get()`) instead, or create the ThreadLocal in a module that the other thread imports',
});
