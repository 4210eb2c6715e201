// A thread that imports the program's main file runs its top level again; when that starts threads,
// every thread would start more, without end (a new user's port of a Python program died of it at
// Thread-1300, out of memory). threadkit refuses to create a Thread or ThreadPool there, and the
// thread fails with an error that says why and what to do. Each program runs in a child process with
// little memory and a short time limit; the fixtures also stop by themselves after a few threads, so
// that a build that does not refuse fails these tests quickly.
import { describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

/** Child processes get little memory: a runaway must fail fast rather than eat the machine. */
const NODE_ARGS = ['--max-old-space-size=256'];
const LIMIT_MS = 15_000;

function expectRefused(stdout: string, what: 'Thread' | 'ThreadPool', inThread: string, imported: string) {
  expect(stdout).toContain(
    `ThreadStateError [ERR_THREAD_STATE]: Cannot create a ${what} in ${inThread}: this thread is ` +
      'running the top level of the main program file ',
  );
  expect(stdout).toContain(
    `(it was imported into the thread, e.g. by \`${imported}\`), which starts threads`,
  );
  expect(stdout).toContain('every thread would start more, without end');
  expect(stdout).toContain('guard the top level with `if (currentThread().isMainThread)`');
  expect(stdout).toContain("(Python's `if __name__ == '__main__':`)");
}

describe('a thread running the top level of the main file that starts threads', () => {
  it.each([['spawn'], ['thread'], ['await-main']])(
    'ES module main, %s: the thread fails with the refusal, and only one thread was started',
    async (mode) => {
      const { stdout, stderr, code } = await runFixture('main-reimport.mjs', [mode], LIMIT_MS, NODE_ARGS);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expectRefused(stdout, 'Thread', 'Thread-1', "await import('./main-reimport.mjs')");
      // The refused Thread took no name: the next one in the process is Thread-2.
      expect(stdout).toContain('next thread: Thread-2\n');
      expect(stdout).not.toContain('result:');
    },
  );

  it('ES module main, ThreadPool: the task fails with the refusal, and only one pool was created', async () => {
    const { stdout, stderr, code } = await runFixture('main-reimport.mjs', ['pool'], LIMIT_MS, NODE_ARGS);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expectRefused(stdout, 'ThreadPool', 'ThreadPool-1-1', "await import('./main-reimport.mjs')");
    expect(stdout).toContain('next pool: ThreadPool-2-1\n');
    expect(stdout).not.toContain('result:');
  });

  it.each([['require'], ['module']])(
    'CommonJS main loaded in the thread (%s): the thread fails with the refusal',
    async (mode) => {
      const { stdout, stderr, code } = await runFixture('main-reimport.cjs', [mode], LIMIT_MS, NODE_ARGS);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expectRefused(stdout, 'Thread', 'Thread-1', "require('./main-reimport.cjs')");
      expect(stdout).toContain('next thread: Thread-2\n');
      expect(stdout).not.toContain('result:');
    },
  );
});

describe('threads that a main file loaded in a thread may start', () => {
  it('ES module: guarded top level, a main-file function as module target, a module whose top level starts a thread', async () => {
    const { stdout, stderr, code } = await runFixture('main-legit.mjs', [], LIMIT_MS, NODE_ARGS);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      'connection in Thread-1 | nested, pooled | from lib | connection in ThreadPool-2-1\n',
    );
  });

  it('CommonJS: guarded top level loaded by require(), a main-file function as module target', async () => {
    const { stdout, stderr, code } = await runFixture('main-legit.cjs', [], LIMIT_MS, NODE_ARGS);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('connection in Thread-1 | nested\n');
  });
});
