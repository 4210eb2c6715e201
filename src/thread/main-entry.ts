// The program's main file, as Node found it: the file the process was started with. Only the main
// thread asks (once, when it starts its first thread); threads receive it from their creator.
import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The path of the main program file, or undefined where there is none (`node -e`, the REPL, a script
 * on stdin). Resolved as Node resolves its entry: against the working directory, `node app` trying
 * `app.js` and `app/index.js` too, symbolic links followed (stack frames name the real file).
 */
export function mainEntryPath(): string | undefined {
  const arg = typeof process === 'undefined' ? undefined : process.argv?.[1];
  if (!arg) return undefined;
  const base = resolve(arg);
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // Not there: try the next form, as Node does.
    }
  }
  return undefined;
}
