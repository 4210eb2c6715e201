// Fuzzed options for Thread, spawn and ThreadPool: each call succeeds or throws a TypeError/RangeError
// naming the parameter, and the pool keeps working afterwards.
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Thread, ThreadPool, spawn } from 'threadkit/thread';
import { expectArgCheck, expectArgCheckAsync, nastyOptions, nastyValue } from '../helpers/fuzz.js';

const runs = { numRuns: 200 };
/** The keys of Thread's options (a bag with any other key is refused before its values are checked). */
const threadOptions = ['args', 'name', 'export', 'transfer', 'resourceLimits', 'daemon', 'signal'];
const threadParams = ['target', 'options', ...threadOptions];

describe('Thread under fuzzed arguments (never started)', () => {
  it('new Thread(target, options)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          nastyValue,
          fc.constant(() => 1),
        ),
        nastyOptions(threadOptions),
        (target, options) => {
          // A string target is a module path: valid, never started here.
          expectArgCheck(
            () => new Thread(target as never, options as never),
            [...threadParams, 'resourceLimits.'],
          );
        },
      ),
      runs,
    );
  });

  it('spawn(fn) with a non-function', () => {
    fc.assert(
      fc.property(nastyValue, (fn) => {
        fc.pre(typeof fn !== 'function');
        expect(() => spawn(fn as never)).toThrow(TypeError);
      }),
      runs,
    );
  });

  it('join(timeoutMs) and joinSync(timeoutMs) check the timeout first', async () => {
    const t = new Thread(() => 1);
    await fc.assert(
      fc.asyncProperty(nastyValue, async (timeoutMs) => {
        // A valid timeout on a thread never started: ThreadStateError, not an argument error.
        const ok = (err: unknown) => (err as Error).name === 'ThreadStateError';
        await expectArgCheckAsync(
          () =>
            t.join(timeoutMs as never).catch((e: unknown) => {
              if (!ok(e)) throw e;
            }),
          ['timeoutMs'],
        );
        expectArgCheck(() => {
          try {
            t.joinSync(timeoutMs as never);
          } catch (e) {
            if (!ok(e)) throw e;
          }
        }, ['timeoutMs']);
      }),
      runs,
    );
  });
});

describe('ThreadPool under fuzzed arguments', () => {
  const pool = new ThreadPool({ size: 1 });
  afterAll(() => pool.destroy());

  it('new ThreadPool(options)', async () => {
    await fc.assert(
      fc.asyncProperty(
        nastyOptions(['size', 'idleTimeoutMs', 'maxQueue', 'resourceLimits', 'startupTimeoutMs']),
        async (options) => {
          const p = expectArgCheck(
            () => new ThreadPool(options as never),
            ['options', 'size', 'idleTimeoutMs', 'maxQueue', 'resourceLimits', 'startupTimeoutMs'],
          );
          await p?.destroy();
        },
      ),
      runs,
    );
  });

  it('run(target, options) and map(fn, items, options); the pool still runs tasks', async () => {
    const params = ['target', 'fn', 'items', 'options', 'args', 'export', 'transfer', 'signal', 'timeoutMs'];
    await fc.assert(
      fc.asyncProperty(
        nastyOptions(['args', 'export', 'transfer', 'signal', 'timeoutMs']),
        nastyValue,
        async (options, items) => {
          // Runtime failures are tolerated before the argument check looks at what is left (a tiny
          // timeoutMs may time the task out first: that is no argument error, and no bug either).
          const run = () => pool.run((...a: unknown[]) => a.length, options as never).catch(tolerateRuntime);
          await expectArgCheckAsync(run, params);
          await expectArgCheckAsync(
            () => pool.map((x: unknown) => x, items as never, options as never).catch(tolerateRuntime),
            params,
          );
          expect(await pool.run((a: number) => a + 1, { args: [1] })).toBe(2);
        },
      ),
      { numRuns: 60, timeout: 3000 },
    );
  });
});

/**
 * Valid options can still fail at run time for reasons that are not argument checks: an uncloneable
 * arg (DataCloneError), a timeout of 0 ms or an already-aborted signal. Those are fine here.
 */
function tolerateRuntime(err: unknown): void {
  const name = (err as Error)?.name;
  if (['DataCloneError', 'TimeoutError', 'AbortError', 'ThreadExitError'].includes(name)) return;
  if (err instanceof Error && /aborted|clone/i.test(err.message)) return;
  throw err;
}

describe('found by fuzzing', () => {
  it('an uncloneable arg or a bad transfer list fails that task alone (was: uncaught, or a hung pool)', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const bad = pool.run((_f: unknown) => 1, { args: [() => 2] });
    const good = pool.run((a: number) => a, { args: [7] });
    await expect(bad).rejects.toMatchObject({ name: 'DataCloneError' });
    expect(await good).toBe(7);
    // A plain object passes the type (`object`: no Node or DOM types) but not the check.
    await expect(pool.run(() => 1, { transfer: [{}] })).rejects.toThrow(/`transfer\[0\]`/);
    const port = new MessageChannel().port1;
    expect(await pool.run(() => 3, { transfer: [port] })).toBe(3);
  });

  it('objects with a prototype that cannot be transferred are refused naming `transfer` (was: a bare runtime TypeError)', async () => {
    await using pool = new ThreadPool({ size: 1 });
    for (const item of [new Date(), [1], new Map(), /x/, new Error('e')]) {
      await expect(pool.run(() => 1, { transfer: [item as never] })).rejects.toThrow(/`transfer\[0\]`/);
    }
    await expect(pool.run(() => 1, { transfer: [new Uint8Array(4) as never] })).rejects.toThrow(/`\.buffer`/);
    // One the checks let through is refused by the runtime when posting: still named.
    class Custom {}
    await expect(pool.run(() => 1, { transfer: [new Custom() as never] })).rejects.toThrow(/`transfer`/);
    expect(await pool.run((a: number) => a, { args: [5] })).toBe(5);
  });

  it('a timeout longer than a timer can wait does not fire at once', async () => {
    await using pool = new ThreadPool({ size: 1, idleTimeoutMs: 1e12 });
    expect(await pool.run(() => new Promise((r) => setTimeout(r, 20, 'late')), { timeoutMs: 1e10 })).toBe(
      'late',
    );
    const t = spawn(() => new Promise((r) => setTimeout(r, 20, 'joined')));
    expect(await t.join(2 ** 40)).toBe('joined');
  });
});
