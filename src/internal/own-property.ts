// Setting a property of a value being decoded (or of a copy being built to encode): structured clone
// defines an own data property, so neither does a setter that a prototype (Object.prototype,
// Array.prototype) has for the key run, nor a read-only property there make it fail, nor a key
// `__proto__` set the prototype. Plain assignment does all three; it is also several times faster,
// and means the same wherever the prototypes have nothing under the key, which is the common case:
// so the helpers below assign, unless the prototype has the key.

const OBJECT_PROTO: object = Object.prototype;
const ARRAY_PROTO: object = Array.prototype;

/** Defines `obj[key] = value` as an own, writable, enumerable, configurable data property. */
function define(obj: object, key: string | number, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * `obj[key] = value` as an own data property, whatever the prototypes of `obj` hold under `key`.
 * For any object: the prototype chain is looked up from `obj` itself.
 */
export function defineOwn(obj: object, key: string | number, value: unknown): void {
  if (key in obj) define(obj, key, value);
  else (obj as Record<string | number, unknown>)[key] = value;
}

/**
 * {@link defineOwn} for `obj` a new plain object (prototype Object.prototype) that does not have
 * `key` yet: the one prototype to ask is known, which is faster.
 */
export function defineOwnInObject(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key in OBJECT_PROTO) define(obj, key, value);
  else obj[key] = value;
}

/**
 * Appends `value` to `arr`, a new array (prototype Array.prototype) being filled in order, as an own
 * data property: `arr.push(value)` unless a prototype has that index.
 */
export function appendOwn(arr: unknown[], value: unknown): void {
  if (arr.length in ARRAY_PROTO) define(arr, arr.length, value);
  else arr.push(value);
}
