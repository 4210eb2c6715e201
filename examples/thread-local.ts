// thread-local: Python's `threading.local()` example. Each thread binds its own `student` on one
// module-level `localSchool` object; `processStudent()` reads it without being passed it, and prints
// which thread it runs in via `currentThread().name`.
//
// Run: npm run example thread-local
import { Thread } from 'threadkit/thread';
import { localSchool, processStudent } from './lib/school.mjs';

/** A thread's target: binds this thread's student, then greets it. */
async function processThread(name: string, schoolModule: string): Promise<string> {
  // A target is shipped to its thread as source, so it imports what it uses (resolved as in this file).
  const school = (await import(schoolModule)) as typeof import('./lib/school.mjs');
  school.localSchool.student = name;
  return school.processStudent();
}

const schoolModule = new URL('./lib/school.mjs', import.meta.url).href;
const threads = [
  new Thread(processThread, { args: ['Alice', schoolModule], name: 'Thread-A' }),
  new Thread(processThread, { args: ['Bob', schoolModule], name: 'Thread-B' }),
];
for (const t of threads) t.start();
for (const t of threads) console.log(await t.join());

// The main thread has its own value too, untouched by the threads.
localSchool.student = 'Carol';
console.log(processStudent());
