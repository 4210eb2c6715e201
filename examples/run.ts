// Runs one example by name: `npm run example <name>` (the package is built first, because the examples
// import it by name, like a user would). With no name, lists the examples.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const here = new URL('.', import.meta.url);
const names = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const name = process.argv[2];
if (name === undefined || !names.includes(name)) {
  if (name !== undefined) console.error(`Unknown example "${name}".`);
  console.error(`Usage: npm run example <name>\nExamples: ${names.join(', ')}`);
  process.exitCode = name === undefined ? 0 : 1;
} else {
  await import(pathToFileURL(new URL(`${name}.ts`, here).pathname).href);
}
