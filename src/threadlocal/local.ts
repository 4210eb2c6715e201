import { checkOptions, type OptionKeys } from '../internal/validate.js';
import {
  allocateSlot,
  box,
  currentSlots,
  findNamedSlot,
  namedSlot,
  namedSlotEntries,
  unbox,
} from './slots.js';
import { checkInheritable } from './thread-local.js';

/**
 * Options of {@link local}.
 *
 * @example
 * ```ts
 * import { local } from 'threadkit/threadlocal';
 * import { spawn } from 'threadkit/thread';
 * const ctx = local<{ requestId?: string }>({ inheritable: true });
 * ctx.requestId = 'req-42';
 * const child = spawn(async () => {
 *   const { local } = await import('threadkit/threadlocal');
 *   return local<{ requestId?: string }>({ inheritable: true }).requestId; // same name: inherited
 * });
 * console.log(await child.join()); // 'req-42'
 * ```
 */
export interface LocalOptions {
  /**
   * Make every string-keyed attribute an inheritable thread-local named after the attribute, copied
   * into Threads and pool tasks like `new ThreadLocal({ inheritable: true, name })`. Attributes with
   * the same name are one variable in all inheritable `local()` objects and inheritable ThreadLocals
   * of a thread. Symbol-keyed attributes are never inherited.
   *
   * @default false
   * @example
   * ```ts
   * import { local } from 'threadkit/threadlocal';
   * const ctx = local<{ requestId?: string }>({ inheritable: true });
   * ```
   */
  readonly inheritable?: boolean | undefined;
}

/** Every key of {@link LocalOptions}: checkOptions refuses any other. */
const LOCAL_KEYS: OptionKeys<LocalOptions> = { inheritable: true };

/** Node's hook for `util.inspect` and `console.log` (a registered symbol: no import of node:util). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What `console.log(local())` shows: a snapshot of the attributes, as `Local { user: 'ann' }`. */
class Local {}

/**
 * `util.inspect` shows a Proxy's target without running its traps, and the target is always empty:
 * this hook on the target gives it the attributes of the current context instead. Called with the
 * Proxy as `this`; non-enumerable and configurable, so that no trap ever reports it.
 */
function inspectAttributes(this: object): Local {
  return Object.assign(new Local(), this);
}

/**
 * An object whose attributes are thread-locals, like Python's `threading.local()`: each attribute
 * behaves like a {@link ThreadLocal} (per thread, follows async work, scoped by
 * {@link ThreadLocal.run} and {@link isolate}).
 *
 * Setting an attribute sets it in the current scope; reading one that has no value in the current
 * context reads the plain object underneath (so `toString` and other `Object.prototype` members work,
 * and a missing attribute is `undefined`). `delete obj.x` removes the value of the current scope;
 * `'x' in obj`, `Object.keys(obj)`, spreading and `JSON.stringify` see the attributes with a value
 * in the current context, and so does `console.log` (`Local { student: 'Alice' }`). Accessor
 * properties, `Object.freeze` and `Object.preventExtensions` are not supported (they throw a TypeError).
 *
 * Create these once, at module level: each attribute takes a slot for the life of the thread.
 *
 * @typeParam T - the attributes, usually all optional
 * @param options - {@link LocalOptions}
 * @returns a Proxy whose attributes are per thread and per async context
 * @throws TypeError if `inheritable` is not a boolean, or `options` has a key it does not know
 * @example
 * ```ts
 * import { local } from 'threadkit/threadlocal';
 *
 * const school = local<{ student?: string }>();
 *
 * function greet() {
 *   console.log(`Hello, ${school.student}`);
 * }
 * school.student = 'Alice';
 * greet(); // Hello, Alice
 * delete school.student;
 * console.log('student' in school); // false
 * ```
 */
export function local<T extends object>(options?: LocalOptions): T {
  const inheritable = checkInheritable(
    checkOptions<LocalOptions>(options, LOCAL_KEYS, 'local()').inheritable,
  );
  /** Slot of each attribute that is private to this object, by key. */
  const ownSlots = new Map<PropertyKey, number>();

  /** The slot of `key`; with `create`, allocated on first use, otherwise undefined until then. */
  const slotOf = (key: string | symbol, create: boolean): number | undefined => {
    if (inheritable && typeof key === 'string') return create ? namedSlot(key) : findNamedSlot(key);
    let slot = ownSlots.get(key);
    if (slot === undefined && create) {
      slot = allocateSlot();
      ownSlots.set(key, slot);
    }
    return slot;
  };
  /** What `key` holds in the current context, still boxed; undefined when it has no value. */
  const stored = (key: string | symbol): unknown => {
    const slot = slotOf(key, false);
    return slot === undefined ? undefined : currentSlots()[slot];
  };
  /** Every key with a slot, in order of first use. */
  const allSlots = (): Iterable<[PropertyKey, number]> =>
    inheritable ? [...namedSlotEntries(), ...ownSlots] : ownSlots;

  const target = {} as T;
  Object.defineProperty(target, INSPECT, { value: inspectAttributes, configurable: true, writable: true });
  return new Proxy(target, {
    get(base, key, receiver) {
      const value = stored(key);
      return value === undefined ? Reflect.get(base, key, receiver) : unbox(value);
    },
    set(_base, key, value) {
      currentSlots()[slotOf(key, true) as number] = box(value);
      return true;
    },
    has(base, key) {
      return stored(key) !== undefined || Reflect.has(base, key);
    },
    deleteProperty(_base, key) {
      const slot = slotOf(key, false);
      if (slot !== undefined) currentSlots()[slot] = undefined;
      return true;
    },
    ownKeys() {
      const slots = currentSlots();
      const keys: (string | symbol)[] = [];
      for (const [key, slot] of allSlots()) {
        if (slots[slot] !== undefined) keys.push(key as string | symbol);
      }
      return keys;
    },
    getOwnPropertyDescriptor(_base, key) {
      const value = stored(key);
      if (value === undefined) return undefined;
      return { value: unbox(value), writable: true, enumerable: true, configurable: true };
    },
    defineProperty(_base, key, descriptor) {
      // Only plain data properties can be thread-local; a non-configurable one would break the
      // Proxy invariants (it would have to exist on the target, the same in every context).
      if (!('value' in descriptor) || descriptor.configurable === false) return false;
      currentSlots()[slotOf(key, true) as number] = box(descriptor.value);
      return true;
    },
    preventExtensions() {
      return false;
    },
  });
}
