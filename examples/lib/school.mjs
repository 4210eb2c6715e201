// The thread-local and the function that reads it, for examples/thread-local.ts. They live in their own
// module because a thread target is self-contained: each thread imports this module. It is plain
// JavaScript because, on Node 20, a TypeScript loader registered with `--import tsx` does not reach
// worker threads, so code imported inside a thread must be JavaScript (see docs/runtime-support.md).
import { currentThread } from 'threadkit/thread';
import { local } from 'threadkit/threadlocal';

/** Per-thread attributes, like Python's `threading.local()`. @type {{ student?: string }} */
export const localSchool = local();

/** Reads the current thread's student: no argument needed, each thread sees its own. */
export function processStudent() {
  return `Hello, ${localSchool.student} (in ${currentThread().name})`;
}
