// SuppressedError (ECMA-262, explicit resource management): the error a `using` scope throws when a
// disposal fails after another failure, with `error` (the new failure) and `suppressed` (the one
// before it). Node has it from version 24; elsewhere thread functions get a stand-in with its shape
// (src/thread/disposal-helpers.ts), and the error codec carries either across threads (error-codec.ts).

/** How a SuppressedError is made: `new SuppressedError(error, suppressed, message)`. */
export type SuppressedErrorCtor = new (error: unknown, suppressed: unknown, message?: string) => Error;

/** The runtime's SuppressedError, where it has one. */
export const NativeSuppressedError: SuppressedErrorCtor | undefined = (() => {
  const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;
  return typeof native === 'function' ? (native as SuppressedErrorCtor) : undefined;
})();

/** The stand-in: `name`, and `error` / `suppressed` as non-enumerable own data, as specified. */
class SuppressedErrorShim extends Error {
  declare readonly error: unknown;
  declare readonly suppressed: unknown;
  constructor(error: unknown, suppressed: unknown, message?: string) {
    super(message);
    for (const [key, value] of [
      ['error', error],
      ['suppressed', suppressed],
    ] as const) {
      Object.defineProperty(this, key, { value, writable: true, configurable: true });
    }
  }
}
Object.defineProperty(SuppressedErrorShim.prototype, 'name', {
  value: 'SuppressedError',
  writable: true,
  configurable: true,
});

/** The runtime's SuppressedError where it has one, else the stand-in. */
export const SuppressedError: SuppressedErrorCtor = NativeSuppressedError ?? SuppressedErrorShim;

/**
 * Whether `err` is a SuppressedError: the runtime's, or the stand-in. Its `error` and `suppressed`
 * are non-enumerable, so the error codec carries them explicitly.
 */
export const isSuppressedError = (err: Error): boolean =>
  err.name === 'SuppressedError' && Object.hasOwn(err, 'error') && Object.hasOwn(err, 'suppressed');
