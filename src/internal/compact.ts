// A fast path beside node:v8 for the values queues carry most (serialize.ts decides when to use it):
// small JSON-like values. v8.serialize costs a few µs even for `{ id: 1 }` (a native Serializer
// object per call, a Buffer, and the garbage both leave), about as much as the rest of a put; this
// writes the same value in well under a µs, in plain JS, into one reused scratch buffer.
//
// It takes exactly the values whose structured clone it can reproduce, and refuses everything else,
// for the caller to fall back to v8:
//   - undefined, null, booleans, every number (-0 and NaN included), strings (lone surrogates kept);
//   - plain objects (prototype Object.prototype): own enumerable string keys in the order
//     Object.keys gives them, which is the order structured clone uses (`__proto__` included);
//   - arrays (prototype Array.prototype) of up to MAX_ARRAY items with no holes and no other own
//     properties (structured clone keeps both, this format does not).
// Refused, among others: Proxies (structured clone throws for them; v8 does the throwing), any other
// prototype (class instances, Map, Date, typed arrays, errors: v8's job), bigints, functions, symbols,
// an object met twice (a shared reference or a cycle, which structured clone keeps), nesting deeper
// than MAX_DEPTH, and values over MAX_BYTES encoded. Getters run as structured clone runs them (once
// per property, in key order).
// The fallback must know whether the value holds anything for the codec (an error, a registered
// primitive: serialize.ts), which takes a walk over the whole value. Rather than leave that walk to
// the fallback, which would run the getters read so far a second time before v8 runs them a third,
// a refusal turns this walk into that one: from where it gave up, it goes on through the rest of the
// value without writing, reading each property it has not read yet (compact-scan.ts), and tells the caller
// whether it found any such thing. So a getter runs at most twice: once here, once in v8.
// Decoding defines own properties, as structured clone does (own-property.ts): a setter someone put on
// Object.prototype for a key does not run, and a key `__proto__` stays an own key.
//
// Format: MARK, then one value. A value is a tag byte and its payload: I int32 (4 bytes), D float64
// (8 bytes), A (Latin-1 string: length, one byte per char), W (string: length, two bytes per char,
// UTF-16LE code units), U/N/T/F (undefined, null, true, false), O (object: key count, then per key its string
// (A or W) and its value), L (array: length, then the items). Lengths are unsigned LEB128. Numbers are
// in this machine's byte order: the bytes never leave the process.
import { Buffer } from 'node:buffer';
import { types } from 'node:util';
import {
  beginScan,
  endScan,
  metBefore,
  scan,
  scanFound,
  scanItems,
  scanKeys,
  scanMet,
} from './compact-scan.js';
import { appendOwn, defineOwnInObject } from './own-property.js';

/** First byte of a compact encoding. A v8 encoding starts with its version tag, 0xFF. */
export const MARK = 0x00;
/** Encodings over this many bytes are left to v8 (they are no longer small; v8's overhead is amortised). */
const MAX_BYTES = 16 * 1024;
/** Arrays longer than this are left to v8 (checking for holes and extra properties costs O(length)). */
const MAX_ARRAY = 256;
/** Deeper nesting is left to v8. */
const MAX_DEPTH = 32;

const INT = 0x49; // I
const FLOAT = 0x44; // D
const STR1 = 0x41; // A
const STR2 = 0x57; // W
const UNDEF = 0x55; // U
const NULL = 0x4e; // N
const TRUE = 0x54; // T
const FALSE = 0x46; // F
const OBJECT = 0x4f; // O
const ARRAY = 0x4c; // L

// Encoder state: the scratch buffer (grown up to MAX_BYTES), the write position, and whether an
// encoding is under way (a getter that puts into a queue gets v8 for its value).
let busy = false;
let out = Buffer.allocUnsafeSlow(256);
let outBytes = new Uint8Array(out.buffer, out.byteOffset, out.length); // the same bytes, no Buffer methods
let at = 0;
// A float64's bytes, both ways.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Makes room for `n` more bytes; false when that would pass MAX_BYTES. */
function room(n: number): boolean {
  const need = at + n;
  if (need <= out.length) return true;
  if (need > MAX_BYTES) return false;
  const grown = Buffer.allocUnsafeSlow(Math.min(MAX_BYTES, Math.max(out.length * 2, need)));
  out.copy(grown, 0, 0, at);
  out = grown;
  outBytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
  return true;
}

function writeLength(n: number): void {
  while (n > 0x7f) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
}

/**
 * Strings of up to this many chars are copied char by char in JS; longer ones by Buffer's native
 * latin1 and utf16le conversions (which keep lone surrogates), whose call costs about that much.
 */
const SHORT = 24;

function writeString(s: string): boolean {
  const n = s.length;
  if (!room(6 + 2 * n)) return false;
  const start = at;
  if (n > SHORT) {
    // All ASCII when its UTF-8 takes one byte per char: then Latin-1 is the same bytes.
    const ascii = Buffer.byteLength(s, 'utf8') === n;
    out[at++] = ascii ? STR1 : STR2;
    writeLength(n);
    at += out.write(s, at, ascii ? 'latin1' : 'utf16le');
    return true;
  }
  out[at++] = STR1;
  writeLength(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return writeWide(s, start);
    out[at++] = c;
  }
  return true;
}

/** Rewrites the short string begun at `start` with two bytes per char (room was made for that). */
function writeWide(s: string, start: number): boolean {
  at = start;
  out[at++] = STR2;
  writeLength(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[at++] = c & 0xff;
    out[at++] = c >>> 8;
  }
  return true;
}

function writeNumber(v: number): boolean {
  if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
    if (!room(5)) return false;
    out[at++] = INT;
    out[at++] = v & 0xff;
    out[at++] = (v >>> 8) & 0xff;
    out[at++] = (v >>> 16) & 0xff;
    out[at++] = v >>> 24;
    return true;
  }
  if (!room(9)) return false;
  out[at++] = FLOAT;
  f64[0] = v;
  for (let i = 0; i < 8; i++) out[at++] = f64Bytes[i]!;
  return true;
}

function writeTag(tag: number): boolean {
  if (!room(1)) return false;
  out[at++] = tag;
  return true;
}

function writeValue(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'number':
      return writeNumber(v);
    case 'string':
      return writeString(v);
    case 'boolean':
      return writeTag(v ? TRUE : FALSE);
    case 'undefined':
      return writeTag(UNDEF);
    case 'object':
      return v === null ? writeTag(NULL) : writeObject(v, depth);
    default:
      return false;
  }
}

// Writing an object or an array: each refusal scans what it has not read of the object, and returns
// false; the caller, its parent, then scans what it has not read of its own, and so on up. So when
// writeValue returns false, every property of the value has been read once, or found needless to
// read (something for the codec was found: the caller then walks the value itself).
function writeObject(v: object, depth: number): boolean {
  if (depth === MAX_DEPTH) return scan(v);
  // Met before (the scan has not begun: it begins at the first refusal, and all then unwind scanning):
  // written already, so nothing for the codec in it, or under way, and scanned as it unwinds.
  if (metBefore(v) || types.isProxy(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype) {
    const rec = v as Record<string, unknown>;
    const keys = Object.keys(v);
    if (!room(6)) return scanKeys(rec, keys, 0);
    out[at++] = OBJECT;
    writeLength(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item: unknown = rec[key];
      // A getter that deleted a later property: structured clone skips it; leave that to v8.
      if (item === undefined && !Object.hasOwn(v, key)) return scanKeys(rec, keys, i + 1);
      if (!writeString(key)) {
        scan(item);
        return scanKeys(rec, keys, i + 1);
      }
      if (!writeValue(item, depth + 1)) return scanKeys(rec, keys, i + 1);
    }
    return true;
  }
  if (proto !== Array.prototype || !Array.isArray(v)) return scanMet(v, proto);
  const n = v.length;
  if (n > MAX_ARRAY) return scanItems(v, 0); // before reading any item
  // Own keys list the indices first, ascending: exactly n of them ending in n - 1 means no holes and
  // no other properties (a named key is never an index).
  const keys = Object.keys(v);
  if (keys.length !== n || (n > 0 && keys[n - 1] !== String(n - 1))) return scanItems(v, 0);
  if (!room(6)) return scanItems(v, 0);
  out[at++] = ARRAY;
  writeLength(n);
  for (let i = 0; i < n; i++) if (!writeValue(v[i], depth + 1)) return scanItems(v, i + 1);
  return true;
}

/**
 * What {@link encodeCompact} says of a value it refused. `'plain'`: nothing in it is for the codec,
 * and every property of it has been read once (v8 reads it once more). `'codec'`: something in it is
 * (it may have stopped reading there). `'unread'`: another encoding was under way (a getter puts into
 * a queue), so it read nothing: the caller walks the value itself.
 */
export type Refusal = 'plain' | 'codec' | 'unread';

/**
 * Encodes `value` compactly, or returns why not (see {@link Refusal}). The bytes are a view on a
 * scratch buffer that the next call overwrites: copy them to keep them.
 *
 * @param carries - whether the codec carries an object that is neither a plain object nor an array
 *   (an error, a registered primitive), asked of such objects after a refusal
 * @throws what a getter throws
 */
export function encodeCompact(value: unknown, carries: (value: object) => boolean): Uint8Array | Refusal {
  if (busy) return 'unread';
  busy = true;
  at = 0;
  out[at++] = MARK;
  beginScan(carries);
  try {
    if (writeValue(value, 0)) return outBytes.subarray(0, at);
    return scanFound() ? 'codec' : 'plain';
  } finally {
    endScan();
    busy = false;
  }
}

// Decoder state: the bytes being read and the read position; for long strings, a Buffer over the
// whole ArrayBuffer the bytes were last in (usually the queue's reused scratch, so made once).
const NOTHING: Uint8Array = new Uint8Array(0);
let src: Uint8Array = NOTHING;
let pos = 0;
let view: Buffer = Buffer.alloc(0);

function readLength(): number {
  let n = 0;
  let shift = 0;
  let b: number;
  do {
    b = src[pos++]!;
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return n;
}

/** `src[from ..< to]` as a string in `encoding`. */
function slice(encoding: 'latin1' | 'utf16le', from: number, to: number): string {
  if (view.buffer !== src.buffer) view = Buffer.from(src.buffer);
  return view.toString(encoding, src.byteOffset + from, src.byteOffset + to);
}

/**
 * Short Latin-1 strings decoded lately, by a hash of their bytes: keys (and many values) repeat from
 * value to value, and comparing bytes costs less than building a string char by char.
 */
const recent: string[] = new Array<string>(256).fill('');

function readNarrow(): string {
  const n = readLength();
  const start = pos;
  const end = start + n;
  pos = end;
  if (n > SHORT) return slice('latin1', start, end);
  let hash = n;
  for (let i = start; i < end; i++) hash = (hash * 31 + src[i]!) | 0;
  const slot = hash & 0xff;
  const cached = recent[slot]!;
  if (cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === src[start + i]) i++;
    if (i === n) return cached;
  }
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(src[i]!);
  recent[slot] = s;
  return s;
}

function readWide(): string {
  const n = readLength();
  const end = pos + 2 * n;
  let s = '';
  if (n > SHORT) s = slice('utf16le', pos, end);
  else for (let i = pos; i < end; i += 2) s += String.fromCharCode(src[i]! | (src[i + 1]! << 8));
  pos = end;
  return s;
}

function readValue(): unknown {
  const tag = src[pos++];
  switch (tag) {
    case INT: {
      const v = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24);
      pos += 4;
      return v;
    }
    case FLOAT:
      for (let i = 0; i < 8; i++) f64Bytes[i] = src[pos++]!;
      return f64[0];
    case STR1:
      return readNarrow();
    case STR2:
      return readWide();
    case UNDEF:
      return undefined;
    case NULL:
      return null;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case OBJECT: {
      const n = readLength();
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = src[pos++] === STR1 ? readNarrow() : readWide();
        defineOwnInObject(obj, key, readValue());
      }
      return obj;
    }
    case ARRAY: {
      const n = readLength();
      const arr: unknown[] = [];
      for (let i = 0; i < n; i++) appendOwn(arr, readValue());
      return arr;
    }
    default:
      throw new Error(`Inconsistent state: unknown tag ${tag} in a compact encoding`);
  }
}

/** Decodes bytes from {@link encodeCompact} (they start with MARK). */
export function decodeCompact(bytes: Uint8Array): unknown {
  src = bytes;
  pos = 1;
  try {
    return readValue();
  } finally {
    src = NOTHING;
  }
}
