// Values to bytes and back, for primitives that copy values through shared memory (the Queue). The
// only module that touches `node:v8`; the browser build swaps in serialize.browser.ts (see
// tsup.config.ts), which has the same exports.
//
// Node, Bun and Deno: V8's serializer (Bun: its own, readable only by Bun), i.e. the structured clone
// algorithm: objects, arrays, Map, Set, Date, RegExp, BigInt, typed arrays, ArrayBuffer, errors,
// cycles and shared references. Functions, symbols, SharedArrayBuffers and class prototypes are not.
// Small JSON-like values (plain objects and arrays of strings, numbers, booleans, null, undefined) take
// compact.ts's fast path instead, which gives the same structured clone at a fraction of the cost.
// Errors: structured clone keeps the class of built-ins only, and no own properties (`code`), so a
// value that holds an error goes through the codec first (error-codec.ts: the records a thrown error
// crosses from a thread as) and its encoding starts with CODEC_MARK, which tells decodeValue to revive
// them. Only the fallback path looks for errors, and it takes no walk of its own for it: compact.ts,
// when it refuses a value, goes on reading the rest of it looking for them (encodeCompact's Refusal).
// So a getter runs at most twice: once there, once in v8 (or in the codec's copy, which v8 then
// serializes instead of the value). A value without any error encodes and decodes as it would by
// structured clone alone.
// A namespace import: a runtime whose node:v8 lacks DefaultDeserializer must not fail to link.
import * as v8 from 'node:v8';
import { types } from 'node:util';
import { MARK, decodeCompact, encodeCompact } from './compact.js';
import { sharedMemoryMessage, unclonableMessage } from './unclonable.js';
import { decode as decodeCodec } from './codec.js';
import { carriedAsError, encodeErrorsForSerializer } from './error-codec.js';
import { threadBoundFailure } from './thread-bound.js';

/** Which encoding this build uses, for docs and error messages. */
export const ENCODING = 'structured clone (node:v8)';

/**
 * Small JSON-like values take compact.ts's fast path, where the runtime's serializer is V8's (its
 * encodings start with 0xFF, never with compact's MARK). Bun's is not: there every value goes to v8.
 */
const V8_FIRST_BYTE: number | undefined = (() => {
  try {
    return v8.serialize(0)[0];
  } catch {
    return undefined;
  }
})();
const COMPACT = V8_FIRST_BYTE === 0xff;

/**
 * First byte of the encoding of a value that went through the codec (encodeErrors) before the
 * runtime's serializer: the serializer's bytes follow it. Neither compact's MARK (0x00) nor V8's
 * header (0xFF).
 */
const CODEC_MARK = 0x01;
/**
 * A serializer whose encodings could start with CODEC_MARK (none known: Bun's starts with its format
 * version) would be misread, so there every encoding is marked, and decoded by the codec.
 */
const MARK_ALL = V8_FIRST_BYTE === CODEC_MARK;

/**
 * Encodes `value` as bytes. They may be a view on a scratch buffer that the next call overwrites:
 * copy them to keep them past the next encodeValue on this thread.
 *
 * @throws for a value it cannot clone (a function, a symbol), a SharedArrayBuffer or threadkit
 *   primitive, or a thread-bound object (a Thread, a guard: thread-bound.ts), a DataCloneError that
 *   says what and where it is and what to do instead (the runtime's own message, as a
 *   DataCloneError, where the culprit is not found)
 */
export function encodeValue(value: unknown): Uint8Array {
  const compact = COMPACT ? encodeCompact(value, carriedAsError) : 'unread';
  if (typeof compact !== 'string') return compact;
  try {
    // Nothing for the codec, compact says (so this is V8: no MARK_ALL). A getter's error goes to the
    // caller as it is, as it would from v8.serialize.
    if (compact === 'plain') return v8.serialize(value);
    const copy = encodeErrorsForSerializer(value, compact === 'codec' || undefined, types.isProxy);
    if (!copy.tagged && !MARK_ALL) return v8.serialize(copy.value);
    const bytes = v8.serialize(copy.value);
    const marked = new Uint8Array(bytes.length + 1);
    marked[0] = CODEC_MARK;
    marked.set(bytes, 1);
    return marked;
  } catch (err) {
    // node:v8 throws a plain Error where structured clone (and postMessage) throws a DataCloneError.
    if (err instanceof Error && err.name === 'Error' && / could not be cloned/.test(err.message)) {
      const shared = /SharedArrayBuffer/.test(err.message) ? sharedMemoryMessage(value) : undefined;
      const message = shared ?? unclonableMessage(value, err.message) ?? err.message;
      throw new DOMException(message, 'DataCloneError');
    }
    // The codec refused a thread-bound object (a Thread, a guard): say where it sat.
    throw threadBoundFailure(err, [[value, 'value']]);
  }
}

/**
 * Node's deserializer returns typed arrays as views on its input (or on a pooled 8 KiB buffer when
 * misaligned), and a Buffer as a Buffer. Structured clone gives each its own exactly-sized buffer and
 * a Buffer as a Uint8Array; copy to match, so `new Float64Array(value.buffer)` means what it says.
 * Built lazily: a runtime without `DefaultDeserializer` (or one that does not implement it) throws here.
 */
function exactDecoder(): (bytes: Uint8Array) => unknown {
  const Base = v8.DefaultDeserializer;
  class ExactDeserializer extends Base {
    _readHostObject(): unknown {
      const base = Base.prototype as unknown as { _readHostObject(): unknown };
      const view = base._readHostObject.call(this);
      if (!ArrayBuffer.isView(view)) return view;
      const bytes = (view.buffer as ArrayBuffer).slice(view.byteOffset, view.byteOffset + view.byteLength);
      if (view instanceof DataView) return new DataView(bytes);
      const Ctor =
        view instanceof Uint8Array ? Uint8Array : (view.constructor as new (b: ArrayBuffer) => unknown);
      return new Ctor(bytes);
    }
  }
  const decode = (bytes: Uint8Array): unknown => {
    const deserializer = new ExactDeserializer(bytes);
    deserializer.readHeader();
    return deserializer.readValue();
  };
  decode(v8.serialize(new Uint8Array(1))); // the probe
  return decode;
}

/** Runtimes whose node:v8 lacks a working DefaultDeserializer (Bun) use plain `deserialize`. */
const decode: (bytes: Uint8Array) => unknown = (() => {
  try {
    return exactDecoder();
  } catch {
    return (bytes: Uint8Array) => v8.deserialize(bytes) as unknown;
  }
})();

/** Decodes bytes from {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  if (COMPACT && bytes[0] === MARK) return decodeCompact(bytes);
  return bytes[0] === CODEC_MARK ? decodeCodec(decode(bytes.subarray(1))) : decode(bytes);
}
