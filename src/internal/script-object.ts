// Which objects structured clone turns into plain objects: instances of classes written in JavaScript
// (a user's `class Account { lock = new Mutex() }`). Structured clone copies their own enumerable
// properties into a plain object and drops the prototype, so a primitive held in one of those
// properties must be tagged by the codec as it would be in a plain object, or it arrives as dead data
// (`{ buffer, byteOffset }`). Built-ins (Date, Map, typed arrays, errors, ...) and host objects
// (MessagePort, CryptoKey, ...) are cloned by rules of their own and are not script objects: their
// constructors are native code. Some host objects of Node are written in JavaScript (Blob, KeyObject);
// the codec copies a script object only when something to tag sits in its own properties, which
// such objects never have (their state is in private fields and symbols).

/** A constructor's source ends like this when it is native code (a built-in or a host class). */
const NATIVE_CODE = /\{\s*\[native code\]\s*\}\s*$/;

/** Per prototype: whether its chain up to Object.prototype holds only classes written in JavaScript. */
const scriptChains = new WeakMap<object, boolean>();

function isScriptChain(proto: object): boolean {
  const known = scriptChains.get(proto);
  if (known !== undefined) return known;
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  // A class's source can be long, so the answer is kept per prototype.
  const native = typeof ctor === 'function' && NATIVE_CODE.test(Function.prototype.toString.call(ctor));
  const parent: unknown = Object.getPrototypeOf(proto);
  const script =
    !native && (parent === null || parent === Object.prototype || isScriptChain(parent as object));
  scriptChains.set(proto, script);
  return script;
}

/**
 * Whether structured clone copies `value` as a plain object of its own enumerable properties although
 * its prototype is not Object.prototype (nor null): an instance of a class written in JavaScript, or
 * an object made with `Object.create(proto)`. False for plain objects and arrays (the caller's common
 * cases), errors, and any object with a built-in or host class in its prototype chain.
 */
export function isScriptObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype || value instanceof Error) return false;
  return isScriptChain(proto as object);
}
