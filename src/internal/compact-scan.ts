// The refusal scan of the compact encoder (compact.ts). When the writer refuses a value, the fallback
// to v8 must know whether the value holds anything for the codec (an error, a registered primitive),
// which takes a walk over the whole value. This is that walk, done over what the writer has not read
// yet, from where it gave up: what holdsShareable does in codec.ts, with the objects the writer met
// as the objects visited (a Proxy is left unread: v8 refuses it), so that no getter the writer ran
// runs again. Each scan function returns false, the refusal, for the writer to return; once something
// is found, nothing more is read. The objects met live here, shared by writer and scan.
import { types } from 'node:util';
import { isScriptObject } from './script-object.js';

// The objects met so far: the first FEW_OBJECTS in a list searched linearly (a Set costs an allocation
// per encoding, on clear()), the rest in a Set.
const FEW_OBJECTS = 16;
const metFew: (object | undefined)[] = new Array<object | undefined>(FEW_OBJECTS).fill(undefined);
const metMany = new Set<object>();
let metCount = 0;
// After a refusal: what the caller says the codec carries, and whether the scan found one.
let carried: (value: object) => boolean = () => false;
let found = false;

/** Records `v` as met; whether it had been met before (a shared reference or a cycle). */
export function metBefore(v: object): boolean {
  const few = Math.min(metCount, FEW_OBJECTS);
  for (let i = 0; i < few; i++) if (metFew[i] === v) return true;
  if (metCount >= FEW_OBJECTS) {
    if (metMany.has(v)) return true;
    metMany.add(v);
  } else {
    metFew[metCount] = v;
  }
  metCount++;
  return false;
}

/** Forgets the objects met (keeping no reference to them). */
function forgetMet(): void {
  metFew.fill(undefined, 0, Math.min(metCount, FEW_OBJECTS));
  if (metCount > FEW_OBJECTS) metMany.clear();
  metCount = 0;
}

/** Begins an encoding: `carries` says whether the codec carries an object that the scan meets. */
export function beginScan(carries: (value: object) => boolean): void {
  carried = carries;
}

/** Whether the scan found something for the codec in this encoding. */
export function scanFound(): boolean {
  return found;
}

/** Ends an encoding: forgets the objects met and what the scan found. */
export function endScan(): void {
  forgetMet();
  found = false;
}

/** Scans `v`, not read yet. */
export function scan(v: unknown): false {
  if (found || v === null || typeof v !== 'object' || metBefore(v) || types.isProxy(v)) return false;
  return scanMet(v, Object.getPrototypeOf(v));
}

/** Scans `v`, already recorded as met and not a Proxy; `proto` is its prototype. */
export function scanMet(v: object, proto: unknown): false {
  if (proto === Object.prototype || proto === null) {
    return scanKeys(v as Record<string, unknown>, Object.keys(v), 0);
  }
  if (proto === Array.prototype && Array.isArray(v)) return scanItems(v, 0);
  if (carried(v)) found = true;
  else if (Array.isArray(v)) scanItems(v, 0);
  else if (v instanceof Map) {
    for (const [k, x] of v) {
      if (found) break;
      scan(k);
      scan(x);
    }
  } else if (v instanceof Set) {
    for (const x of v) {
      if (found) break;
      scan(x);
    }
  } else if (isScriptObject(v)) {
    // An instance of the user's class: its own properties, which structured clone copies.
    scanKeys(v as Record<string, unknown>, Object.keys(v), 0);
  }
  return false;
}

/** Scans the properties of `v` under `keys[from ..]`. */
export function scanKeys(v: Record<string, unknown>, keys: readonly string[], from: number): false {
  for (let i = from; i < keys.length && !found; i++) scan(v[keys[i]!]);
  return false;
}

/** Scans the items of the array `v` from index `from` on. */
export function scanItems(v: readonly unknown[], from: number): false {
  for (let i = from; i < v.length && !found; i++) scan(v[i]);
  return false;
}
