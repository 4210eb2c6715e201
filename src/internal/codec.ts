// The one codec for values crossing a thread boundary through Thread/ThreadPool. Structured clone
// turns a class instance into plain data; every shareable primitive registers here once so that it
// is re-created as a live instance on the other side, wherever it sits inside args or results.

/** How a shareable primitive turns into cloneable data and back. */
export interface ShareableCodec<T extends object> {
  /** Unique name, e.g. `'Mutex'`. */
  readonly name: string;
  /** The primitive's class; instances are recognised with `instanceof`. */
  readonly type: abstract new (...args: never[]) => T;
  /** Revives an instance from the structured clone of one (`X.from`). */
  readonly revive: (data: unknown) => T;
}

const KEY = '__threadkit_shareable__';
const codecs = new Map<string, ShareableCodec<object>>();

/** Registers a primitive with the codec (called once at module load by each primitive). */
export function registerShareable<T extends object>(codec: ShareableCodec<T>): void {
  codecs.set(codec.name, codec);
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces registered primitives inside arrays, plain objects, Maps and Sets with tagged records.
 * Returns the input itself when it contains none (no copy on the common path).
 */
export function encode(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  for (const codec of codecs.values()) {
    if (value instanceof codec.type) {
      const tagged = { [KEY]: codec.name, data: { ...value } };
      seen.set(value, tagged);
      return tagged;
    }
  }
  if (Array.isArray(value)) {
    seen.set(value, value);
    let out: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const enc = encode(item, seen);
      if (enc !== item) (out ??= value.slice())[i] = enc;
    });
    if (out) seen.set(value, out);
    return out ?? value;
  }
  if (value instanceof Map || value instanceof Set || !isPlainObject(value)) return value;
  seen.set(value, value);
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const enc = encode(v, seen);
    if (enc !== v) (out ??= { ...value })[k] = enc;
  }
  if (out) seen.set(value, out);
  return out ?? value;
}

/** Inverse of {@link encode}: revives tagged records into live primitives, in place. */
export function decode(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  const tag = (value as Record<string, unknown>)[KEY];
  if (typeof tag === 'string') {
    const codec = codecs.get(tag);
    if (!codec) throw new TypeError(`Cannot revive a ${tag}: its module is not loaded in this thread`);
    return codec.revive((value as { data: unknown }).data);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i], seen);
  } else if (isPlainObject(value)) {
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) rec[k] = decode(rec[k], seen);
  }
  return value;
}
