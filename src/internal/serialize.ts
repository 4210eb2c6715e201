// Values to bytes and back, for primitives that copy values through shared memory (the Queue). The
// only module that touches `node:v8`; the browser build swaps in serialize.browser.ts (see
// tsup.config.ts), which has the same exports.
//
// Node, Bun and Deno: V8's serializer (Bun: its own, readable only by Bun), i.e. the structured clone
// algorithm: objects, arrays, Map, Set, Date, RegExp, BigInt, typed arrays, ArrayBuffer, errors,
// cycles and shared references. Functions, symbols, SharedArrayBuffers and class prototypes are not.
// A namespace import: a runtime whose node:v8 lacks DefaultDeserializer must not fail to link.
import * as v8 from 'node:v8';

/** Which encoding this build uses, for docs and error messages. */
export const ENCODING = 'structured clone (node:v8)';

/**
 * Encodes `value` as bytes.
 *
 * @throws the runtime's error for a value it cannot clone (a function, a symbol, a SharedArrayBuffer)
 */
export function encodeValue(value: unknown): Uint8Array {
  try {
    return v8.serialize(value);
  } catch (err) {
    // node:v8 throws a plain Error where structured clone (and postMessage) throws a DataCloneError.
    if (err instanceof Error && err.name === 'Error' && / could not be cloned/.test(err.message)) {
      throw new DOMException(err.message, 'DataCloneError');
    }
    throw err;
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
  return decode(bytes);
}
