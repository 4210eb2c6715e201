// Finds the file that called into threadkit, so that `import()` inside a shipped function and a
// relative module target resolve as they would in that file.
import { toFileUrl } from '../internal/runtime.js';

/** The folder holding this module: every frame inside it is threadkit's own (dist/ once built). */
const OWN_DIR = new URL('.', import.meta.url).href;

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getFunctionName?(): string | null;
  getTypeName?(): string | null;
  getEnclosingLineNumber?(): number | null;
  getEnclosingColumnNumber?(): number | null;
}

function toUrl(file: string): string {
  return /^[a-z][a-z\d+.-]*:/i.test(file) && !/^[a-z]:\\/i.test(file) ? file : toFileUrl(file);
}

/** The call sites of the current stack, or [] where the runtime has no V8 stack API. */
function callSites(): CallSiteLike[] {
  const limit = Error.stackTraceLimit;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be restored as it was
  const prepare = Error.prepareStackTrace;
  let sites: unknown;
  try {
    Error.stackTraceLimit = 40;
    Error.prepareStackTrace = (_err, callSites) => callSites;
    sites = new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
  return Array.isArray(sites) ? (sites as CallSiteLike[]) : [];
}

/**
 * Where threadkit's frames appear in stacks, besides OWN_DIR: a runtime that applies source maps to
 * stacks (Deno) names src/thread/callsite.ts instead of the dist/ file, so every frame under src/ is ours.
 */
const MAPPED_DIR = ((): string | undefined => {
  try {
    const file = callSites()[0]?.getFileName();
    const url = file ? toUrl(file) : undefined;
    return url === undefined || url.startsWith(OWN_DIR) ? undefined : new URL('..', url).href;
  } catch {
    // A frame name that is no URL nor path here (the browser build loaded by a test runner that maps
    // stacks): no mapped frames to skip. Loading the module must never fail on it.
    return undefined;
  }
})();

/**
 * The URL of the nearest file on the current stack outside threadkit and Node's internals, or
 * undefined when there is none (e.g. code run from a REPL).
 */
export function callerUrl(): string | undefined {
  for (const site of callSites()) {
    const file = site.getFileName();
    if (!file || file.startsWith('node:') || file.startsWith('evalmachine')) continue;
    const url = toUrl(file);
    if (url.startsWith(OWN_DIR) || (MAPPED_DIR !== undefined && url.startsWith(MAPPED_DIR))) continue;
    return url;
  }
  return undefined;
}

/** A module's top-level code running on the current stack, as found by {@link nearestTopLevel}. */
export interface TopLevelFrame {
  /** The module's URL (`file:` for a file). */
  readonly url: string;
  /** Whether it is a CommonJS module (its top level is the module wrapper function). */
  readonly commonJs: boolean;
}

/**
 * Whether a call site is a module's top-level code: the function that holds it is anonymous and
 * starts where the file does. That is the ES module body (V8 says `isToplevel()`, but it says so of any
 * function called without a receiver, so it cannot tell) and the CommonJS module wrapper (called on
 * `module.exports`: `Object.<anonymous>`); an anonymous function inside the file starts further on.
 * Needs V8's enclosing position (Node, Deno); elsewhere nothing is ever top-level.
 */
function isModuleTopLevel(site: CallSiteLike): boolean {
  return (
    typeof site.getEnclosingLineNumber === 'function' &&
    !site.getFunctionName?.() &&
    site.getEnclosingLineNumber() === 1 &&
    site.getEnclosingColumnNumber?.() === 1
  );
}

/**
 * The module whose top-level code is nearest on the current stack (the one being evaluated that led,
 * maybe through functions it called, to this call), outside threadkit and the runtime's internals; or
 * undefined when none is (code run later from a callback, an event, or a function a thread runs).
 * Costs one capture of the stack (a few µs): call it only where that cannot matter.
 */
export function nearestTopLevel(): TopLevelFrame | undefined {
  for (const site of callSites()) {
    const file = site.getFileName();
    if (!file || file.startsWith('node:') || file.startsWith('evalmachine')) continue;
    if (!isModuleTopLevel(site)) continue;
    const url = toUrl(file);
    if (url.startsWith(OWN_DIR) || (MAPPED_DIR !== undefined && url.startsWith(MAPPED_DIR))) continue;
    return { url, commonJs: site.getTypeName?.() === 'Object' };
  }
  return undefined;
}

/** A captured stack, formatted only when read (formatting costs far more than capturing). */
export interface StackHolder {
  readonly stack?: string;
}

/**
 * Captures the caller's stack frames (for appending below a thread's error stack): those below the
 * call of `above`, at most `limit` of them (capturing costs µs per frame).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any function marks the cut
export function callerStack(above: Function = callerStack, limit?: number): StackHolder {
  const holder: { stack?: string } = {};
  if (limit === undefined) {
    Error.captureStackTrace(holder, above);
    return holder;
  }
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  try {
    Error.captureStackTrace(holder, above);
  } finally {
    Error.stackTraceLimit = saved;
  }
  return holder;
}

/** The public function being called that creates a Thread (spawn), while it does: see {@link throughEntry}. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any function marks the cut
let entry: Function | undefined;

/**
 * Runs `body`, in which a Thread's creator stack is cut at `fn` (a public function that creates the
 * Thread, such as spawn) instead of at the Thread constructor.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any function marks the cut
export function throughEntry<T>(fn: Function, body: () => T): T {
  entry = fn;
  try {
    return body();
  } finally {
    entry = undefined;
  }
}

/** The stack of the user's code creating a Thread: cut at the public entry, else at `ctor`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any function marks the cut
export function creatorStack(ctor: Function): StackHolder {
  return callerStack(entry ?? ctor);
}
