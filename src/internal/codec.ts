// The one codec for values crossing a thread boundary through Thread/ThreadPool. Structured clone
// turns a class instance into plain data; every shareable primitive registers here once so that it
// is re-created as a live instance on the other side, wherever it sits inside args or results:
// in arrays, plain objects, Map keys and values, Set members, and the own properties of instances of
// the user's classes (which structured clone turns into plain objects: see script-object.ts). As with
// structured clone, one primitive referenced twice arrives as one instance referenced twice, and
// cycles are kept.
//
// Where the registry lives: on `globalThis` under a versioned symbol, as the diagnostics settings do
// (src/internal/diagnostics.ts). The package ships an ESM and a CommonJS build, and both can be loaded
// into one thread (an application importing threadkit, a dependency requiring it); each has its own
// Mutex class, and so on. A registry per build would leave a Mutex of one build unrecognised by a
// Thread of the other (it would arrive as dead data), and a result revived only if the receiving
// build happened to load that primitive's module. So every build registers into one registry per
// thread (globalThis is per thread: each worker is its own realm), where a name maps to the codecs of
// every build loaded, and a value is recognised as an instance of any of them.
//
// Thread-bound objects (a Thread, a ThreadPool, a ThreadLocal, a lock's guard) register here too, as
// kind 'thread-bound', whose encode throws: wherever the walk below meets one, encoding fails, and no
// path sends it as dead data (see thread-bound.ts). A build that predates them shares this registry
// and calls that encode too.
//
// Tagged records: a primitive travels as `{ [KEY]: name, data }`. A user's plain object that has an
// own KEY property (a JSON document passed through, a payload from elsewhere) would read as one, so it
// travels escaped, as `{ [KEY]: ESCAPED, data: copy }`, and decode unwraps it back into the plain
// object, never reviving it. Escaped records follow the same identity rules as tagged ones.
import { isPlainObject } from './validate.js';
import { copyTagged, ESCAPED, KEY, type CopyWalk } from './codec-copy.js';
import { isScriptObject } from './script-object.js';

/**
 * How a shareable primitive turns into cloneable data and back; also threadkit's errors, which
 * structured clone would turn into plain Errors (see error-codec.ts).
 */
export interface ShareableCodec<T extends object> {
  /** Unique name, e.g. `'Mutex'`; the same in every build. */
  readonly name: string;
  /**
   * What the codec carries: a primitive whose state lives in shared memory, or threadkit's errors
   * (plain data: a Queue can copy them, so they are not named as shared memory); or, for
   * `'thread-bound'`, nothing: an object that belongs to the thread that made it (a Thread, a guard:
   * see thread-bound.ts), whose `encode` throws, so that no path sends one. @default 'primitive'
   */
  readonly kind?: 'primitive' | 'error' | 'thread-bound';
  /** For a `'thread-bound'` codec: one instance in messages (`'a Thread'`). */
  readonly what?: string;
  /**
   * For a `'thread-bound'` codec: why an instance cannot be sent and what to do instead, the end of
   * the message that sending one fails with (`'a Thread belongs to … Join it there …'`).
   */
  readonly advice?: string;
  /** The primitive's class; instances (of this class in any build) are recognised with `instanceof`. */
  readonly type: abstract new (...args: never[]) => T;
  /**
   * Recognises instances instead of `instanceof type`: for classes of which a build may hold instances
   * that it never registered a codec for (threadkit's errors: see error-codec.ts). Like `instanceof`,
   * its answer must depend on the prototype chain alone: it is kept per prototype (see codecFor).
   */
  readonly matches?: (value: object) => boolean;
  /** The cloneable data of an instance. @default a copy of its own enumerable properties */
  readonly encode?: (value: T) => unknown;
  /** Revives an instance from the structured clone of its data (`X.from`). */
  readonly revive: (data: unknown) => T;
}

/** The registry of this thread, shared by every build of threadkit loaded into it. */
interface Registry {
  /** The codecs registered under each name, one per build that registered it, in order. */
  readonly byName: Map<string, ShareableCodec<object>[]>;
  /** Every codec of every build, for recognising a value. */
  readonly all: ShareableCodec<object>[];
}

/** Versioned: a change to the registry's layout or to the tagged records takes a new key. */
const REGISTRY_KEY = Symbol.for('threadkit.codec.registry.v2');

const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[REGISTRY_KEY] ??= {
  byName: new Map(),
  all: [],
});
/** This build's own codecs: revival prefers them, so a build revives instances of its own classes. */
const own = new Map<string, ShareableCodec<object>>();

/** Registers a primitive with the codec (called once at module load by each primitive). */
export function registerShareable<T extends object>(codec: ShareableCodec<T>): void {
  const c = codec as unknown as ShareableCodec<object>;
  own.set(c.name, c);
  if (registry.all.some((known) => known.type === c.type)) return;
  registry.all.push(c);
  const named = registry.byName.get(c.name);
  if (named) named.push(c);
  else registry.byName.set(c.name, [c]);
}

/**
 * Whether `value` is an instance of the primitive registered as `name` by any build of threadkit
 * loaded into this thread (a Mutex of the ESM build is a `'Mutex'` to the CommonJS build too).
 */
export function isShareable(value: unknown, name: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  const codecs = registry.byName.get(name);
  return codecs !== undefined && codecs.some((codec) => value instanceof codec.type);
}

/**
 * The registered name of the shared-memory primitive `value` is (`'Mutex'`), of any build; undefined
 * for anything else, threadkit's errors included (the codec carries them, but they hold no shared memory).
 */
export function shareableName(value: object): string | undefined {
  const codec = codecFor(value);
  return codec !== undefined && (codec.kind ?? 'primitive') === 'primitive' ? codec.name : undefined;
}

/**
 * The codec of the thread-bound object `value` is (a Thread, a MutexGuard: see thread-bound.ts), of
 * any build; undefined for anything else.
 */
export function threadBoundCodec(value: object): ShareableCodec<object> | undefined {
  const codec = codecFor(value);
  return codec?.kind === 'thread-bound' ? codec : undefined;
}

/**
 * The codec that carries `value`, if any. `errors`: the codec to carry every error with, not only
 * threadkit's (a Queue's values: see {@link encode}).
 */
function codecFor(value: object, errors?: ShareableCodec<object>): ShareableCodec<object> | undefined {
  if (value instanceof Error) return errors ?? lookUp(value);
  // Whether an object is an instance of a codec's class depends on its prototype chain alone, so the
  // answer is kept per prototype: asking every codec in turn costs one `instanceof` each, which adds
  // up for a Date or an instance of the user's class in a task's args. (Not for errors: threadkit's
  // error classes register apart, error-classes.ts, and the lookup of errors here is rare.) A chain
  // changed above an object's own prototype after it was asked about (Object.setPrototypeOf on a
  // prototype) is not followed.
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null) return lookUp(value);
  if (byProtoFor !== registry.all.length) {
    byProto = new WeakMap();
    byProtoFor = registry.all.length;
  }
  let codec = byProto.get(proto);
  if (codec === undefined) byProto.set(proto, (codec = lookUp(value) ?? null));
  return codec ?? undefined;
}

/**
 * For {@link codecFor}: per prototype, the codec of its instances (null: none). Valid while the
 * registry, which only grows, holds `byProtoFor` codecs: any build's registration clears it.
 */
let byProto = new WeakMap<object, ShareableCodec<object> | null>();
let byProtoFor = 0;

/** The codec that recognises `value`, asking each in turn. */
function lookUp(value: object): ShareableCodec<object> | undefined {
  for (const codec of registry.all) {
    if (codec.matches ? codec.matches(value) : value instanceof codec.type) return codec;
  }
  return undefined;
}

/**
 * Whether `value`, an object that is neither a plain object nor an array, is one the codec carries: a
 * registered primitive, or any error (`errors`: see {@link encode}). A walk of its own over a value
 * (compact.ts's) asks this of what it meets, as {@link encode}'s walk does.
 */
export function carriedByCodec(value: object, errors?: ShareableCodec<Error>): boolean {
  return codecFor(value, errors as ShareableCodec<object> | undefined) !== undefined;
}

/**
 * Whether a registered primitive, or a plain object to escape, sits anywhere inside `value`'s arrays,
 * plain objects, Map keys and values, Set members, and the own properties of script objects (instances
 * of the user's classes). `visited` makes it stop on cycles. `isProxy`: tells Proxies, which are not
 * looked into (structured clone refuses them). `known`: see {@link holdsInside}. A loop over a stack
 * of objects still to look into, not recursion: a value nested thousands deep (a linked list) does
 * not overflow the call stack.
 */
function holdsShareable(
  value: unknown,
  visited: Set<object>,
  errors?: ShareableCodec<object>,
  isProxy?: (value: object) => boolean,
  known?: Map<object, boolean>,
): boolean {
  if (value === null || typeof value !== 'object') return false;
  const pending: object[] = [value];
  // With `known`: the object that led to each one pushed, to record all the way up what was found.
  // Only objects not visited yet get one: each is visited after the object it names, so no loop.
  const from = known && new Map<object, object>();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (visited.has(next)) continue;
    visited.add(next);
    const before = known?.get(next);
    if (before === false || isProxy?.(next)) continue;
    if (before === true || holdsItself(next, errors)) {
      if (known && from) for (let o: object | undefined = next; o; o = from.get(o)) known.set(o, true);
      return true;
    }
    const start = pending.length;
    pushContents(pending, next);
    if (from)
      for (let i = start; i < pending.length; i++)
        if (!visited.has(pending[i]!) && !from.has(pending[i]!)) from.set(pending[i]!, next);
  }
  return false;
}

/** Whether `value` itself is for the codec: a registered primitive (or error), or a lookalike record. */
function holdsItself(value: object, errors: ShareableCodec<object> | undefined): boolean {
  // The common case first, and cheaply: a plain object or an array is an instance of no registered
  // class (nor an Error), so the registry is not asked about it; only a plain object can look tagged.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return Object.hasOwn(value, KEY);
  if (proto === Array.prototype && Array.isArray(value)) return false;
  if (codecFor(value, errors)) return true;
  // An instance of the user's class arrives as a plain object: it may look tagged too.
  return !Array.isArray(value) && isScriptObject(value) && Object.hasOwn(value, KEY);
}

/**
 * Pushes onto `pending` the objects that structured clone copies along with `value` (not a primitive
 * or an error the codec carries): the members of arrays, Maps and Sets, and the own enumerable
 * properties of plain objects and script objects (instances of the user's classes).
 */
function pushContents(pending: object[], value: object): void {
  const proto: unknown = Object.getPrototypeOf(value);
  let items: Iterable<unknown> = [];
  if (proto === Object.prototype || proto === null) items = Object.values(value);
  else if (Array.isArray(value)) items = value as unknown[];
  else if (value instanceof Map) items = mapEntries(value);
  else if (value instanceof Set) items = value;
  else if (isScriptObject(value)) items = Object.values(value);
  for (const item of items) if (item !== null && typeof item === 'object') pending.push(item);
}

/** A Map's keys and values, in order. */
function* mapEntries(map: Map<unknown, unknown>): Generator<unknown> {
  for (const [k, v] of map) {
    yield k;
    yield v;
  }
}

/**
 * For {@link copyTagged}: whether `value`, a script object met while copying, holds something to tag
 * or escape (then it is copied as the plain object that structured clone would make of it; otherwise
 * it is left to structured clone, as a host object written in JavaScript must be). `known` keeps what
 * the walks of one encoding found, so that no object is walked twice: a walk that found something
 * found it for every object on the way to it, and a walk that found nothing found nothing for any
 * object it visited.
 */
function holdsInside(
  value: object,
  known: Map<object, boolean>,
  errors?: ShareableCodec<object>,
  isProxy?: (value: object) => boolean,
): boolean {
  const visited = new Set<object>();
  const found = holdsShareable(value, visited, errors, isProxy, known);
  if (!found) for (const seen of visited) known.set(seen, false);
  return found;
}

/** The state of one {@link copyTagged} walk. */
function newWalk(errors: ShareableCodec<object> | undefined, isProxy: CopyWalk['isProxy']): CopyWalk {
  const known = new Map<object, boolean>();
  return {
    copies: new Map(),
    codecFor,
    errors,
    isProxy,
    holdsInside: (value) => holdsInside(value, known, errors, isProxy),
    tagged: false,
  };
}

/**
 * Replaces registered primitives inside arrays, plain objects, Maps, Sets and instances of the user's
 * classes with tagged records (and escapes plain objects that look like one). Returns the input itself when it contains neither (no
 * copy on the common path); otherwise a copy of its containers, the input left untouched.
 *
 * `errors`: a codec that carries every error, not only threadkit's (whose own codec carries them
 * anyway). Values crossing a thread boundary pass error-codec.ts's (through its `encodeErrors`):
 * structured clone keeps no own properties of any error, nor a user's subclass name.
 */
export function encode(value: unknown, errors?: ShareableCodec<Error>): unknown {
  const all = errors as ShareableCodec<object> | undefined;
  if (!holdsShareable(value, new Set(), all)) return value;
  return copyTagged(value, newWalk(all, undefined));
}

/**
 * {@link encode} for a value that a serializer walks next (a Queue's: serialize.ts), and that may
 * have been walked already: `holds` says what that walk found (true: something to tag; a copy is made
 * without looking first, each property read once), or is undefined (nobody looked: {@link encode}'s
 * walk looks first, and copies only where needed). `tagged`: whether the result needs
 * {@link decode} (it is then a copy of the containers, the input left untouched).
 *
 * @param isProxy - tells Proxies, which are taken as they are, unread (structured clone refuses them)
 * @throws what a getter throws
 */
export function encodeForSerializer(
  value: unknown,
  errors: ShareableCodec<Error>,
  holds: boolean | undefined,
  isProxy?: (value: object) => boolean,
): { readonly value: unknown; readonly tagged: boolean } {
  const all = errors as ShareableCodec<object>;
  if (holds === false || (holds === undefined && !holdsShareable(value, new Set(), all, isProxy))) {
    return { value, tagged: false };
  }
  const walk = newWalk(all, isProxy);
  const copy = copyTagged(value, walk);
  return { value: copy, tagged: walk.tagged };
}

/**
 * Inverse of {@link encode}: revives tagged records into live primitives, and unwraps escaped plain
 * objects, in place.
 *
 * @throws TypeError for a primitive whose module is not loaded in this thread (nothing registered its
 *   name: a thread that never imported it cannot revive it; it cannot be loaded synchronously here),
 *   or the primitive's own error from reviving malformed data. Callers turn this into the failure of
 *   the one task or thread whose value it was.
 */
export function decode(value: unknown): unknown {
  return decodeIn(value, new Map());
}

/**
 * {@link decode} with `revived` mapping each object already visited to what replaces it: a tagged
 * record to its live instance (so a shared reference revives to one shared instance), an escaped
 * record to the plain object inside, a container to itself (so a cycle ends).
 */
function decodeIn(value: unknown, revived: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (revived.has(value)) return revived.get(value);
  // Only plain objects are tagged records, and only by an own KEY (not one inherited or on an array).
  const plain = isPlainObject(value);
  const tag = plain && Object.hasOwn(value, KEY) ? (value as Record<string, unknown>)[KEY] : undefined;
  if (tag === ESCAPED) {
    // The lookalike's own KEY is data: its properties are decoded, it is not looked at as a tag.
    const plain = (value as { data: Record<string, unknown> }).data;
    revived.set(value, plain);
    revived.set(plain, plain);
    decodeProperties(plain, revived);
    return plain;
  }
  if (typeof tag === 'string') {
    const codec = own.get(tag) ?? registry.byName.get(tag)?.[0];
    if (!codec) {
      throw new TypeError(
        `Cannot revive a ${tag}: its module is not loaded in this thread ` +
          `(import it here, from its threadkit entry point or from 'threadkit')`,
      );
    }
    const live = codec.revive((value as { data: unknown }).data);
    revived.set(value, live);
    return live;
  }
  revived.set(value, value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const dec = decodeIn(item, revived);
      if (dec !== item) value[i] = dec;
    }
  } else if (value instanceof Map) {
    // Rebuilt in the same order, and only when something changed: a key may be a tagged record.
    let changed = false;
    const entries = [...value].map(([k, v]) => {
      const entry = [decodeIn(k, revived), decodeIn(v, revived)] as const;
      changed ||= entry[0] !== k || entry[1] !== v;
      return entry;
    });
    if (changed) {
      value.clear();
      for (const [k, v] of entries) value.set(k, v);
    }
  } else if (value instanceof Set) {
    let changed = false;
    const items = [...value].map((item: unknown) => {
      const dec = decodeIn(item, revived);
      changed ||= dec !== item;
      return dec;
    });
    if (changed) {
      value.clear();
      for (const item of items) value.add(item);
    }
  } else if (plain) {
    decodeProperties(value as Record<string, unknown>, revived);
  }
  return value;
}

function decodeProperties(rec: Record<string, unknown>, revived: Map<object, unknown>): void {
  for (const k of Object.keys(rec)) {
    const dec = decodeIn(rec[k], revived);
    if (dec !== rec[k]) rec[k] = dec;
  }
}
