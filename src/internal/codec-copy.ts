// The copy half of the codec (codec.ts): a value's containers copied with every registered primitive
// (or carried error) replaced by a tagged record `{ [KEY]: name, data }`, and every plain object that
// looks like one wrapped in an escaped record `{ [KEY]: ESCAPED, data: copy }`, for structured clone
// to carry and codec.ts's decode to revive. The registry stays in codec.ts: the walk gets its lookup
// (codecFor) from the caller, so this file does not import codec.ts back.
import type { ShareableCodec } from './codec.js';
import { appendOwn, defineOwn } from './own-property.js';
import { isScriptObject } from './script-object.js';

/** The own property that marks a tagged or escaped record. */
export const KEY = '__threadkit_shareable__';
/** The tag of an escaped plain object: not a class name, so no primitive can register it. */
export const ESCAPED = '#plain';

/** The state of one {@link copyTagged} walk. */
export interface CopyWalk {
  /** Each object met, with what replaces it in the copy (itself, for what is not copied). */
  readonly copies: Map<object, unknown>;
  /** The registry's lookup: the codec that carries an object, if any (codecFor in codec.ts). */
  readonly codecFor: (value: object, errors?: ShareableCodec<object>) => ShareableCodec<object> | undefined;
  /** The codec for every error, where not only threadkit's are carried (see encode in codec.ts). */
  readonly errors: ShareableCodec<object> | undefined;
  /** Objects to take as they are, unread (Proxies, which structured clone refuses). */
  readonly isProxy: ((value: object) => boolean) | undefined;
  /**
   * Whether a script object (an instance of the user's class: script-object.ts) holds something to
   * tag or escape in its own properties; such an object is copied as the plain object that structured
   * clone would make of it, and any other script object is left to structured clone.
   */
  readonly holdsInside: (value: object) => boolean;
  /** Whether a primitive or an error was tagged, or a lookalike escaped: then the copy needs decode. */
  tagged: boolean;
}

/**
 * Copies the arrays, plain objects, Maps and Sets of `value` with every registered primitive replaced
 * by a tagged record, and every plain object that looks like one wrapped in an escaped record. An
 * instance of the user's class that holds such a thing is copied as a plain object too, as structured
 * clone would copy it.
 * `walk.copies` maps each original to its copy, registered before its children are copied, so a
 * shared reference stays shared (one primitive becomes one tagged record, one lookalike one escaped
 * record) and a cycle leads back to the copy rather than to the original, which still holds the
 * primitives. Reads each property once, in structured clone's order (depth first, keys in order);
 * what the copy keeps, it keeps as structured clone does: own enumerable string keys as own data
 * properties, an array's length, holes and extra properties. Everything else (Dates, typed arrays,
 * class instances that hold nothing to tag, ...) is structured clone's job.
 */
export function copyTagged(value: unknown, walk: CopyWalk): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { copies } = walk;
  const known = copies.get(value); // never undefined for an object met: what replaces it is an object
  if (known !== undefined) return known;
  if (walk.isProxy?.(value)) {
    copies.set(value, value);
    return value;
  }
  // The common case first, and cheaply: a plain object or an array is an instance of no registered
  // class (nor an Error), so the registry is not asked about it.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return copyObject(value as Record<string, unknown>, walk);
  if (proto === Array.prototype && Array.isArray(value)) return copyArray(value, walk);
  const codec = walk.codecFor(value, walk.errors);
  if (codec) {
    walk.tagged = true;
    const tagged: { [KEY]: string; data: unknown } = { [KEY]: codec.name, data: undefined };
    copies.set(value, tagged);
    tagged.data = codec.encode ? codec.encode(value) : { ...value };
    return tagged;
  }
  if (Array.isArray(value)) return copyArray(value, walk);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    copies.set(value, out);
    for (const [k, v] of value) out.set(copyTagged(k, walk), copyTagged(v, walk));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    copies.set(value, out);
    for (const item of value) out.add(copyTagged(item, walk));
    return out;
  }
  if (isScriptObject(value) && walk.holdsInside(value))
    return copyObject(value as Record<string, unknown>, walk);
  copies.set(value, value);
  return value;
}

function copyObject(value: Record<string, unknown>, walk: CopyWalk): unknown {
  const lookalike = Object.hasOwn(value, KEY);
  if (lookalike) walk.tagged = true;
  // Spread reads each own enumerable property once (as structured clone does, skipping one a getter
  // deleted meanwhile) into own data properties; the copy's children are then read from the copy.
  const out: Record<string, unknown> = { ...value };
  walk.copies.set(value, lookalike ? { [KEY]: ESCAPED, data: out } : out);
  for (const key of Object.keys(out)) copyChild(out, key, walk);
  return walk.copies.get(value);
}

function copyArray(value: unknown[], walk: CopyWalk): unknown[] {
  const n = value.length;
  const keys = Object.keys(value);
  if (keys.length === n && (n === 0 || keys[n - 1] === String(n - 1))) {
    // No holes: filled in order from empty, the copy stays a packed array, which v8 writes densely (a
    // holey one it writes as a sparse array, several times slower to write and to read back).
    const out: unknown[] = [];
    walk.copies.set(value, out);
    for (let i = 0; i < n; i++) appendOwn(out, copyTagged(value[i], walk));
    return out;
  }
  const out = new Array<unknown>(n); // holes kept
  walk.copies.set(value, out);
  const items = value as unknown as Record<string, unknown>;
  for (const key of keys) {
    const item = items[key];
    if (item === undefined && !Object.hasOwn(items, key)) continue; // deleted by a getter meanwhile
    defineOwn(out, key, copyTagged(item, walk));
  }
  return out;
}

/** Replaces the child `copy[key]` (an own data property, never a getter) with its copy. */
function copyChild(copy: object, key: string | number, walk: CopyWalk): void {
  const item = (copy as Record<string | number, unknown>)[key];
  if (item === null || typeof item !== 'object') return;
  const enc = copyTagged(item, walk);
  if (enc !== item) (copy as Record<string | number, unknown>)[key] = enc;
}
