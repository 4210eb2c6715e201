// Which errors are threadkit's own, so that one crossing a thread boundary arrives as an instance of
// its class rather than as a plain Error (structured clone keeps the class of built-ins only).
//
// Where the registry lives: on `globalThis` under a versioned symbol, as the codec's does
// (src/internal/codec.ts), and for the same reason: the ESM and the CommonJS build can both be loaded
// into one thread, each with its own error classes. An error of either build must be recognised by
// the other's thread machinery (a worker running the ESM build may call a primitive that the user's
// code required from the CommonJS build), so every build registers its classes into one registry per
// thread. Revival prefers the reviving build's own class, as the codec revives a primitive as an
// instance of its own build's class: `instanceof` holds for the class of the build that revived it.

/** A threadkit error class, as the registry holds it (revival never calls its constructor). */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** The registry of this thread, shared by every build of threadkit loaded into it. */
interface Registry {
  /** The prototype of every registered class of every build, with the name it was registered under. */
  readonly names: Map<object, string>;
  /** The classes registered under each name, one per build, in order of registration. */
  readonly byName: Map<string, ErrorClass[]>;
}

/** Versioned: a change to the registry's layout takes a new key. */
const REGISTRY_KEY = Symbol.for('threadkit.errors.registry.v1');

const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[REGISTRY_KEY] ??= {
  names: new Map(),
  byName: new Map(),
});
/** This build's own classes: revival prefers them. */
const own = new Map<string, ErrorClass>();

/**
 * Registers a build's error classes under their names (keys, not `.name`: the same in every build
 * even if a bundler renames the classes). Called once, by src/errors.ts, when it loads.
 */
export function registerErrorClasses(classes: Readonly<Record<string, ErrorClass>>): void {
  for (const [name, cls] of Object.entries(classes)) {
    own.set(name, cls);
    const proto = cls.prototype as object;
    if (registry.names.has(proto)) continue;
    registry.names.set(proto, name);
    const named = registry.byName.get(name);
    if (named) named.push(cls);
    else registry.byName.set(name, [cls]);
  }
}

/**
 * The registered name of the threadkit class nearest in `err`'s prototype chain (of any build):
 * `'NotOwnerError'` for a NotOwnerError, and for an instance of a user's subclass of it; `undefined`
 * for an error that is not threadkit's, whatever its `name` or `code`.
 */
export function threadkitClassName(err: Error): string | undefined {
  for (let proto = Object.getPrototypeOf(err) as object | null; proto !== null;) {
    const name = registry.names.get(proto);
    if (name !== undefined) return name;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

/** The class registered as `name`: this build's, else the first build's that registered it. */
export function errorClassNamed(name: string): ErrorClass | undefined {
  return own.get(name) ?? registry.byName.get(name)?.[0];
}
