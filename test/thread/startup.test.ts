// What a thread's worker loads before its target runs. The shareable primitives and module loading are
// most of the bootstrap's code, so a Thread whose target loads no module and gets no primitive in its
// args starts from a bootstrap without them (in one file); every other worker loads every primitive,
// since one can reach its target (through its args, or a nested thread's result). Whether they were
// loaded is read from the codec's registry, which every primitive joins when its module loads
// (src/internal/codec.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Mutex, spawn, Thread, ThreadPool } from 'threadkit';
import { watchdog } from './helpers.js';

/** Whether the thread running it has loaded the Mutex module (of any build). Self-contained; ignores args. */
const mutexLoaded = (..._args: unknown[]): boolean => {
  const registry = (globalThis as Record<symbol, { byName: Map<string, unknown> } | undefined>)[
    Symbol.for('threadkit.codec.registry.v2')
  ];
  return registry?.byName.has('Mutex') ?? false;
};

describe('the primitives in a Thread', () => {
  it('are not loaded for a target that loads no module and gets none in its args', async () => {
    expect(await watchdog(spawn(mutexLoaded).join())).toBe(false);
    // Nor for one that gets plain data.
    const withArgs = new Thread(mutexLoaded, { args: [1, { list: [2, 3], at: new Date(0) }] }).start();
    expect(await watchdog(withArgs.join())).toBe(false);
  });

  it('are loaded, and revive, when its args hold one', async () => {
    const out = spawn((m: Mutex) => [typeof m.lock, m.isLocked], new Mutex());
    expect(await watchdog(out.join())).toEqual(['function', false]);
  });

  it('are loaded before a target that loads modules runs', async () => {
    const target = async () => {
      await import('node:os');
      const key = Symbol.for('threadkit.codec.registry.v2');
      const registry = (globalThis as Record<symbol, { byName: Map<string, unknown> } | undefined>)[key];
      return registry?.byName.has('Mutex') ?? false;
    };
    expect(await watchdog(spawn(target).join())).toBe(true);
  });

  it('are loaded in every pool worker', async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      expect(await watchdog(pool.run(mutexLoaded))).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe('the bootstrap of a Thread', () => {
  const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

  it('is one file for a target that loads no module and gets no primitive', async () => {
    // Each file a starting worker requires costs it some 0.25 ms: the standalone bootstrap is one.
    expect(readFileSync(dist + 'standalone/thread-worker.cjs', 'utf8')).not.toMatch(/require\(['"]\./);
    const stack = await watchdog(spawn(() => new Error().stack).join());
    expect(stack).toContain('/standalone/thread-worker.cjs');
    const loads = spawn(async () => {
      await import('node:os');
      return new Error().stack;
    });
    expect(await watchdog(loads.join())).not.toContain('/standalone/');
    const gets = spawn((_m: Mutex) => new Error().stack, new Mutex());
    expect(await watchdog(gets.join())).not.toContain('/standalone/');
  });
});
