import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Mutex, NotOwnerError, TimeoutError } from '../../src/mutex/index.js';
import { fixture, sleep, startAgent, terminateAll, watchdog } from '../helpers/workers.js';
import { mutexSuite } from './contract.js';
import { hammer } from './hammer.js';

const sizes = { workers: 3, iterations: 2000 };

/** A mutex at a 4-aligned, non-zero offset in a buffer shared with other data. */
const atOffset = (reentrant: boolean) => () =>
  new Mutex({ buffer: new SharedArrayBuffer(Mutex.BYTES * 3 + 12), byteOffset: Mutex.BYTES + 4, reentrant });

mutexSuite('non-reentrant', () => new Mutex(), { reentrant: false, ...sizes });
mutexSuite('reentrant', () => new Mutex({ reentrant: true }), { reentrant: true, ...sizes });
mutexSuite('non-reentrant at an offset in a shared buffer', atOffset(false), { reentrant: false, ...sizes });
mutexSuite('reentrant at an offset in a shared buffer', atOffset(true), { reentrant: true, ...sizes });

describe('Mutex across module formats (the built package, by name)', () => {
  afterEach(terminateAll);

  it('CommonJS workers (require("threadkit/mutex")) exclude each other', async () => {
    await hammer([new Mutex()], { workers: 3, iterations: 2000, mode: 'mixed', flavor: 'cjs' });
  });

  it('ESM and CJS workers and the main thread share one mutex', async () => {
    await hammer([new Mutex()], {
      workers: 4,
      iterations: 1500,
      mode: 'lock',
      flavor: 'both',
      mainAsync: 100,
    });
  });

  it('a mutex held in an ESM worker is seen, and guarded, from a CJS worker', async () => {
    const m = new Mutex();
    const esm = startAgent(fixture('mutex-agent.mjs'), { handle: m });
    const cjs = startAgent(fixture('mutex-agent.cjs'), { handle: structuredClone(m) });
    await esm.call('lock');
    expect((await cjs.call('state')).value).toEqual({
      isLocked: true,
      isHeld: false,
      notOwnerIsClass: 'function',
    });
    expect((await cjs.call('unlock')).error).toMatchObject({ name: 'NotOwnerError', code: 'ERR_NOT_OWNER' });
    expect((await cjs.call('tryLock', { ms: 20 })).value).toEqual({ acquired: false });
    await esm.call('unlock');
    expect((await cjs.call('tryLock', { ms: 20 })).value).toEqual({ acquired: true });
  });
});

describe('several mutexes packed in one SharedArrayBuffer', () => {
  afterEach(terminateAll);

  it('are independent and each excludes its own users', async () => {
    const buffer = new SharedArrayBuffer(Mutex.BYTES * 4);
    const mutexes = [0, 1, 2, 3].map((i) => new Mutex({ buffer, byteOffset: i * Mutex.BYTES }));
    mutexes[1]!.lock();
    expect(mutexes.map((m) => m.isLocked)).toEqual([false, true, false, false]);
    mutexes[1]!.unlock();
    await hammer(mutexes, { workers: 3, iterations: 2000, mode: 'mixed', mainAsync: 100 });
  });
});

describe('Mutex.from and opening existing memory', () => {
  it('Mutex.from(structuredClone(m)) shares state', () => {
    const m = new Mutex({ buffer: new SharedArrayBuffer(64), byteOffset: 16 });
    const twin = Mutex.from(structuredClone(m));
    expect(twin).not.toBe(m);
    expect(twin.byteOffset).toBe(16);
    expect(twin.buffer.byteLength).toBe(64); // a clone re-wraps the same memory in a new object
    const g = twin.lock();
    expect(m.isLocked).toBe(true);
    expect(m.isHeldByCurrentThread).toBe(true);
    m.unlock();
    expect(twin.isLocked).toBe(false);
    expect(() => g.unlock()).toThrow(expect.objectContaining({ code: 'ERR_NOT_OWNER' }));
    expect(Mutex.from(m)).toBe(m);
  });

  it('Mutex.from keeps the reentrant flag', () => {
    const r = Mutex.from(structuredClone(new Mutex({ reentrant: true })));
    r.lock();
    expect(() => r.lock()).not.toThrow();
    r.unlock();
    r.unlock();
    expect(r.isLocked).toBe(false);
  });

  it('new Mutex on existing memory opens it with its state; a different `reentrant` flag throws', () => {
    const buffer = new SharedArrayBuffer(Mutex.BYTES);
    const a = new Mutex({ buffer });
    a.lock();
    const b = new Mutex({ buffer });
    expect(b.isHeldByCurrentThread).toBe(true);
    expect(() => new Mutex({ buffer, reentrant: true })).toThrow(/reentrant/);
    a.unlock();
    expect(() =>
      new Mutex({ buffer: new SharedArrayBuffer(Mutex.BYTES), reentrant: true }).lock().unlock(),
    ).not.toThrow();
    const rbuf = new SharedArrayBuffer(Mutex.BYTES);
    new Mutex({ buffer: rbuf, reentrant: true });
    expect(() => new Mutex({ buffer: rbuf })).toThrow(TypeError);
  });

  it.each([
    ['{}', {}],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an ArrayBuffer handle', { buffer: new ArrayBuffer(16), byteOffset: 0 }],
  ])('Mutex.from(%s) throws a TypeError naming `handle`', (_label, handle) => {
    expect(() => Mutex.from(handle)).toThrow(TypeError);
    expect(() => Mutex.from(handle)).toThrow(/handle/);
  });

  it('Mutex.from of a buffer region that holds no mutex throws a TypeError naming `handle`', () => {
    const buffer = new SharedArrayBuffer(64);
    new Mutex({ buffer, byteOffset: 0 });
    expect(() => Mutex.from({ buffer, byteOffset: 32 })).toThrow(TypeError);
    expect(() => Mutex.from({ buffer, byteOffset: 32 })).toThrow(/handle/);
    expect(() => Mutex.from({ buffer, byteOffset: 3 })).toThrow(/handle\.byteOffset/);
    expect(() => Mutex.from({ buffer, byteOffset: 64 })).toThrow(RangeError);
  });
});

describe('bad input', () => {
  it('refuses `buffer: null`, and an offset without a buffer, naming `buffer`', async () => {
    const { Event } = await import('../../src/event/index.js');
    expect(() => new Mutex({ buffer: null as never })).toThrow(/`buffer`/);
    expect(() => new Mutex({ byteOffset: 8 })).toThrow(TypeError);
    expect(() => new Mutex({ byteOffset: 8 })).toThrow(/`buffer`/);
    expect(() => new Event({ byteOffset: 4 })).toThrow(/`buffer`/);
    expect(new Mutex({ byteOffset: 0 }).isLocked).toBe(false);
  });

  it('rejects a non-shared buffer with a TypeError naming `buffer`', () => {
    expect(() => new Mutex({ buffer: new ArrayBuffer(16) as unknown as SharedArrayBuffer })).toThrow(
      TypeError,
    );
    expect(() => new Mutex({ buffer: new ArrayBuffer(16) as unknown as SharedArrayBuffer })).toThrow(
      /`buffer`/,
    );
    expect(() => new Mutex({ buffer: new Int32Array(4) as unknown as SharedArrayBuffer })).toThrow(
      /`buffer`/,
    );
  });

  it('rejects misaligned and out-of-range offsets with a RangeError naming `byteOffset`', () => {
    const buffer = new SharedArrayBuffer(Mutex.BYTES * 2);
    const cases = [2, -4, Mutex.BYTES + 4, Mutex.BYTES * 2, 1e9];
    for (const byteOffset of cases) {
      expect(() => new Mutex({ buffer, byteOffset }), `byteOffset ${byteOffset}`).toThrow(RangeError);
      expect(() => new Mutex({ buffer, byteOffset }), `byteOffset ${byteOffset}`).toThrow(/`byteOffset`/);
    }
    expect(() => new Mutex({ buffer, byteOffset: 1.5 })).toThrow(/`byteOffset`/);
    expect(() => new Mutex({ buffer: new SharedArrayBuffer(Mutex.BYTES - 4) })).toThrow(RangeError);
    expect(() => new Mutex({ buffer, byteOffset: Mutex.BYTES })).not.toThrow();
  });

  it("a buffer too small for a mutex at any offset is reported as the buffer's fault", () => {
    const small = new SharedArrayBuffer(Mutex.BYTES - 4);
    for (const byteOffset of [undefined, 0, 4]) {
      const offset = byteOffset ?? 0;
      expect(() => new Mutex({ buffer: small, byteOffset }), `byteOffset ${byteOffset}`).toThrow(
        new RangeError(
          `Expected \`buffer\` to hold at least ${offset + Mutex.BYTES} bytes (${Mutex.BYTES} from \`byteOffset\` ${offset}), got a SharedArrayBuffer of ${Mutex.BYTES - 4} bytes`,
        ),
      );
    }
    // Room for one at another offset: then the offset is wrong.
    expect(() => new Mutex({ buffer: new SharedArrayBuffer(Mutex.BYTES), byteOffset: 4 })).toThrow(
      /^Expected `byteOffset` to leave room for/,
    );
  });

  it('rejects bad options and a non-boolean `reentrant`', () => {
    expect(() => new Mutex(null as never)).toThrow(TypeError);
    expect(() => new Mutex({ reentrant: 'yes' as never })).toThrow(/`reentrant`/);
  });

  it.each([
    ['NaN', NaN, RangeError],
    ['negative', -1, RangeError],
    ['a string', '10', TypeError],
    ['null', null, TypeError],
  ])('tryLock/lockAsync reject a %s timeout naming `timeoutMs`', async (_label, timeoutMs, Err) => {
    const m = new Mutex();
    expect(() => m.tryLock(timeoutMs as number)).toThrow(Err);
    expect(() => m.tryLock(timeoutMs as number)).toThrow(/`timeoutMs`/);
    await expect(m.lockAsync({ timeoutMs: timeoutMs as number })).rejects.toThrow(Err);
    await expect(m.lockAsync({ timeoutMs: timeoutMs as number })).rejects.toThrow(/`timeoutMs`/);
    await expect(m.withLockAsync(() => 1, { timeoutMs: timeoutMs as number })).rejects.toThrow(/`timeoutMs`/);
    expect(m.isLocked).toBe(false);
  });

  it('rejects a signal that is not an AbortSignal with a TypeError naming `signal`', async () => {
    const m = new Mutex();
    const fake = { aborted: false, addEventListener() {} } as unknown as AbortSignal;
    await expect(m.lockAsync({ signal: fake })).rejects.toThrow(TypeError);
    await expect(m.lockAsync({ signal: fake })).rejects.toThrow(/`signal`/);
    expect(m.isLocked).toBe(false);
  });

  it('refuses an unknown option key with a TypeError naming it (and suggests the known one)', async () => {
    expect(() => new Mutex({ reentrent: true } as never)).toThrow(TypeError);
    expect(() => new Mutex({ reentrent: true } as never)).toThrow(
      'Unknown option `reentrent` in `options` of new Mutex(); did you mean `reentrant`? (known: buffer, byteOffset, reentrant)',
    );
    const m = new Mutex();
    using _held = m.lock();
    // Without the check, `timeout` was ignored and this waited forever for the lock held above.
    await expect(m.lockAsync({ timeout: 50 } as never)).rejects.toThrow(TypeError);
    await expect(m.lockAsync({ timeout: 50 } as never)).rejects.toThrow(
      'Unknown option `timeout` in `options` of Mutex.lockAsync(); did you mean `timeoutMs`? (known: signal, timeoutMs)',
    );
    await expect(m.lockAsync({ timeout: undefined } as never)).rejects.toThrow(/`timeout`/);
    await expect(m.withLockAsync(() => 1, { timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Mutex\.withLockAsync\(\); did you mean `timeoutMs`\?/,
    );
    // Known keys still work.
    const signal = new AbortController().signal;
    await expect(m.lockAsync({ timeoutMs: 20, signal })).rejects.toThrow(/timed out/);
    const other = new Mutex({ buffer: new SharedArrayBuffer(Mutex.BYTES), byteOffset: 0, reentrant: true });
    expect(await other.withLockAsync(() => 7, { timeoutMs: 20, signal })).toBe(7);
  });

  it('a timed-out withLockAsync rejects with a TimeoutError naming withLockAsync, not lockAsync', async () => {
    const m = new Mutex();
    using _held = m.lock(); // the async waiters below wait for it and time out
    const err = await m.withLockAsync(() => 1, { timeoutMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('Mutex.withLockAsync() timed out after 10 ms');
    await expect(m.lockAsync({ timeoutMs: 10 })).rejects.toThrow(
      /^Mutex\.lockAsync\(\) timed out after 10 ms$/,
    );
  });

  it('withLock / withLockAsync reject a non-function without taking the lock', async () => {
    const m = new Mutex();
    expect(() => m.withLock(42 as never)).toThrow(/`fn`/);
    await expect(m.withLockAsync(42 as never)).rejects.toThrow(/`fn`/);
    expect(m.isLocked).toBe(false);
  });
});

describe('lockAsync and the Node process lifetime (child process)', () => {
  const script = fileURLToPath(fixture('lockasync-keepalive.mjs'));
  const runChild = (scenario: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
      const t0 = performance.now();
      execFile(process.execPath, [script, scenario], { timeout: 10_000 }, (err, stdout, stderr) => {
        resolve({
          code: err ? ((err as { code?: number }).code ?? null) : 0,
          stdout,
          stderr,
          ms: performance.now() - t0,
        });
      });
    });

  it('a pending lockAsync keeps the process alive until it acquires, then lets it exit', async () => {
    const r = await runChild('contended');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('acquired');
    expect(r.code).toBe(0);
  });

  it.each([
    ['settled', 'settled'],
    ['timeout', 'TimeoutError'],
    ['abort', 'aborted'],
  ])('after a %s lockAsync the process exits promptly on its own', async (scenario, printed) => {
    const r = await runChild(scenario);
    expect(r.stdout.trim()).toBe(printed);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  });
});

describe('regressions', () => {
  afterEach(terminateAll);

  it('after an aborted lockAsync, the same thread can block in lock() on that mutex', async () => {
    // The aborted native waitAsync cannot be removed from the runtime's waiter list; if the unlocker's
    // notify lands on it, the wake-up is only passed on once this thread's event loop runs again —
    // which never happens while it blocks in lock() behind its own dead entry.
    const m = new Mutex();
    const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
    await agent.call('holdFor', { ms: 150 });
    const ac = new AbortController();
    const aborted = m.lockAsync({ signal: ac.signal });
    await sleep(20);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const t0 = performance.now();
    const g = m.tryLock(3000); // lock() would hang forever here
    const waited = performance.now() - t0;
    expect(g).not.toBeNull();
    g?.unlock();
    expect(waited).toBeLessThan(1000);
    await watchdog(agent.call('state'), 2000, 'agent');
  });
});

describe('a guard releases only its own hold', () => {
  it('after mutex.unlock() and a new lock(), the old guard neither disposes nor unlocks the new hold', async () => {
    const m = new Mutex();
    const g1 = m.lock();
    m.unlock(); // g1's hold ends here, not through g1
    g1[Symbol.dispose](); // a `using` block ending now: nothing to release
    const h = m.lock();
    g1[Symbol.dispose]();
    expect(m.isLocked).toBe(true);
    expect(() => g1.unlock()).toThrow(NotOwnerError);
    expect(m.isLocked).toBe(true);
    h.unlock();
    // The same with guards from tryLock and lockAsync, and a hold ended through another Mutex object.
    const g2 = m.tryLock()!;
    Mutex.from(structuredClone(m)).unlock();
    const h2 = await m.lockAsync();
    g2[Symbol.dispose]();
    expect(m.isHeldByCurrentThread).toBe(true);
    h2.unlock();
    expect(m.isLocked).toBe(false);
  });

  it('`using` a guard released through the mutex does not throw at the end of the block', () => {
    const m = new Mutex();
    expect(() => {
      using _g = m.lock();
      m.unlock();
    }).not.toThrow();
    expect(m.isLocked).toBe(false);
  });

  it('withLock(fn) releases its own hold only: not one fn ended, nor a later one fn took', () => {
    for (const reentrant of [false, true]) {
      const m = new Mutex({ reentrant });
      expect(m.withLock(() => (m.unlock(), 'ended'))).toBe('ended');
      expect(m.isLocked).toBe(false);
      m.withLock(() => {
        m.unlock();
        m.lock(); // a later hold: it outlives withLock
      });
      expect(m.isHeldByCurrentThread).toBe(true);
      m.unlock();
      expect(m.isLocked).toBe(false);
    }
    const r = new Mutex({ reentrant: true });
    r.withLock(() => r.withLock(() => expect(r.isHeldByCurrentThread).toBe(true)));
    expect(r.isLocked).toBe(false);
    // Held outside: the nested withLock gives back only its own level.
    const outer = r.lock();
    r.withLock(() => {});
    expect(r.isHeldByCurrentThread).toBe(true);
    outer.unlock();
    expect(r.isLocked).toBe(false);
    // Held outside, and fn gives back withLock's level itself: the outer level stays held.
    const held = r.lock();
    r.withLock(() => r.unlock());
    expect(r.isHeldByCurrentThread).toBe(true);
    held.unlock();
    expect(r.isLocked).toBe(false);
  });

  it('reentrant: guards of one hold release one level each; after the hold ends they release nothing', () => {
    const m = new Mutex({ reentrant: true });
    const g1 = m.lock();
    const g2 = m.lock();
    g1.unlock(); // one level, in any order
    expect(m.isHeldByCurrentThread).toBe(true);
    m.unlock(); // the last level, not through g2
    const h = m.lock();
    g2[Symbol.dispose]();
    expect(m.isHeldByCurrentThread).toBe(true);
    h.unlock();
    expect(m.isLocked).toBe(false);
  });
});
