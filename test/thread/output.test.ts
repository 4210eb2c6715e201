// What a thread prints goes through the main thread's event loop (Node relays a worker's stdout and
// stderr there), so it reaches the terminal only once that loop runs. It must never be lost: not even
// when the main thread blocks in joinSync() and then has nothing left to do, so that the process ends.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watchdog } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/thread/joinsync-output.mjs', import.meta.url));

/** Runs the fixture with stdout and stderr written to files (as `node app.mjs > out.txt` would). */
async function runToFiles(): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'threadkit-output-'));
  try {
    const out = openSync(join(dir, 'out'), 'w');
    const err = openSync(join(dir, 'err'), 'w');
    try {
      const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', out, err] });
      const code = await watchdog(new Promise((resolve) => child.once('exit', resolve)));
      expect(code).toBe(0);
    } finally {
      closeSync(out);
      closeSync(err);
    }
    return { stdout: readFileSync(join(dir, 'out'), 'utf8'), stderr: readFileSync(join(dir, 'err'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('output of a thread', () => {
  it('is not lost when the program ends right after joinSync()', async () => {
    for (let run = 0; run < 3; run++) {
      const { stdout, stderr } = await runToFiles();
      // The thread's line comes after the main thread's: it waited for the main thread's event loop.
      expect(stdout.split('\n').sort()).toEqual(['', 'after joinSync', 'from the thread']);
      expect(stderr).toBe('error from the thread\n');
    }
  });
});
