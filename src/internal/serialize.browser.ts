// Browser build of serialize.ts (swapped in by tsup.config.ts): browsers expose no structured-clone
// serializer to bytes, so values are encoded as JSON, with tagged records for what JSON lacks.
//
// Kept, as structured clone keeps them: objects (own enumerable string keys; the prototype is not
// kept), arrays, strings, booleans, null, undefined, every number (NaN, ±Infinity, -0), BigInt, Date,
// RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, and errors: as serialize.ts carries them,
// through the codec (error-codec.ts) with their class, name, message, stack, cause and own properties.
// A value that held one is encoded with CODEC_MARK before its JSON, which tells decodeValue to revive them.
// The codec's walk reads the value looking for errors, then toJson reads it (or the codec's copy, where
// the walk found one): a getter runs at most twice. Decoding defines own properties (own-property.ts),
// so a key `__proto__` stays an own key, as under structured clone.
// Limitations: a cycle throws a TypeError, a shared reference arrives as two copies, array holes arrive
// as undefined; functions, symbols and SharedArrayBuffers throw (structured clone refuses them too).

import { sharedMemoryMessage, unclonableMessage } from './unclonable.js';
import { decode as decodeCodec } from './codec.js';
import { encodeErrorsForSerializer } from './error-codec.js';
import { threadBoundFailure } from './thread-bound.js';
import { defineOwnInObject } from './own-property.js';

/** Which encoding this build uses, for docs and error messages. */
export const ENCODING = 'JSON with tagged records (browser build)';

/** First byte of the encoding of a value that went through the codec: never the start of JSON text. */
const CODEC_MARK = 0x01;

/** The key of a tagged record; a plain object that has it is escaped as a tagged record too. */
const TAG = '$tk';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
};

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function toJson(value: unknown, path: Set<object>): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { [TAG]: 'u' };
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { [TAG]: 'n', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [TAG]: 'b', v: value.toString() };
    case 'function':
    case 'symbol':
      throw new TypeError(`${String(value)} could not be cloned`);
  }
  if (value === null) return null;
  const obj = value as object;
  if (path.has(obj))
    throw new TypeError('A value with a cycle could not be cloned (browser build: JSON encoding)');
  path.add(obj);
  try {
    return objectToJson(obj, path);
  } finally {
    path.delete(obj);
  }
}

function objectToJson(obj: object, path: Set<object>): Json {
  if (Array.isArray(obj)) return Array.from(obj, (item: unknown) => toJson(item, path));
  if (obj instanceof Date) return { [TAG]: 'D', v: String(obj.getTime()) };
  if (obj instanceof RegExp) return { [TAG]: 'R', v: obj.source, f: obj.flags };
  if (obj instanceof Map)
    return { [TAG]: 'M', v: [...obj].map(([k, v]) => [toJson(k, path), toJson(v, path)]) };
  if (obj instanceof Set) return { [TAG]: 'S', v: [...obj].map((v) => toJson(v, path)) };
  if (obj instanceof ArrayBuffer) return { [TAG]: 'A', v: toBase64(new Uint8Array(obj)) };
  if (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer) {
    throw new TypeError('A SharedArrayBuffer could not be cloned'); // encodeValue says more
  }
  if (ArrayBuffer.isView(obj)) {
    const type = obj instanceof DataView ? 'DataView' : typedName(obj);
    return { [TAG]: 'T', t: type, v: toBase64(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength)) };
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) defineOwnInObject(out, k, toJson(v, path));
  return Object.hasOwn(out, TAG) ? { [TAG]: 'O', v: out } : out;
}

/** The standard typed-array class an instance belongs to (a Buffer is a Uint8Array). */
function typedName(view: ArrayBufferView): string {
  for (const [name, Ctor] of Object.entries(TYPED_ARRAYS)) if (view instanceof Ctor) return name;
  return 'Uint8Array';
}

function fromJson(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(fromJson);
  const tag = json[TAG];
  if (typeof tag !== 'string') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) defineOwnInObject(out, k, fromJson(v));
    return out;
  }
  const v = json.v as Json;
  switch (tag) {
    case 'u':
      return undefined;
    case 'n':
      return Number(v);
    case 'b':
      return BigInt(v as string);
    case 'D':
      return new Date(Number(v));
    case 'R':
      return new RegExp(v as string, json.f as string);
    case 'M':
      return new Map((v as Json[][]).map(([k, x]) => [fromJson(k ?? null), fromJson(x ?? null)]));
    case 'S':
      return new Set((v as Json[]).map(fromJson));
    case 'A':
      return fromBase64(v as string);
    case 'T':
      return new (TYPED_ARRAYS[json.t as string] ?? Uint8Array)(fromBase64(v as string));
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, Json>)) defineOwnInObject(out, k, fromJson(x));
      return out;
    }
  }
}

/**
 * Encodes `value` as UTF-8 JSON bytes.
 *
 * @throws TypeError for a value it cannot encode (a function, a symbol, a cycle); for a SharedArrayBuffer
 *   or a threadkit primitive, one that says where it is and what to do instead; a DataCloneError for
 *   a thread-bound object (a Thread, a guard: thread-bound.ts), saying the same
 */
export function encodeValue(value: unknown): Uint8Array {
  let json: Json;
  let tagged = false;
  try {
    const copy = encodeErrorsForSerializer(value, undefined);
    tagged = copy.tagged;
    json = toJson(copy.value, new Set());
  } catch (err) {
    // The codec refused a thread-bound object (a Thread, a guard): a DataCloneError saying where.
    if (!(err instanceof TypeError)) throw threadBoundFailure(err, [[value, 'value']]);
    const message = /SharedArrayBuffer/.test(err.message)
      ? sharedMemoryMessage(value)
      : / could not be cloned$/.test(err.message)
        ? unclonableMessage(value, err.message)
        : undefined;
    throw message === undefined ? err : new TypeError(message);
  }
  const text = JSON.stringify(json);
  if (!tagged) return new TextEncoder().encode(text);
  const bytes = new Uint8Array(text.length * 3 + 1); // room for any UTF-16 text as UTF-8
  bytes[0] = CODEC_MARK;
  const { written } = new TextEncoder().encodeInto(text, bytes.subarray(1));
  return bytes.subarray(0, written + 1);
}

/** Decodes bytes from {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  const marked = bytes[0] === CODEC_MARK;
  const value = fromJson(JSON.parse(new TextDecoder().decode(marked ? bytes.subarray(1) : bytes)) as Json);
  return marked ? decodeCodec(value) : value;
}
