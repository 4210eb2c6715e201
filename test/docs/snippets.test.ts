// Runs the code in the guides. Every ```ts block in docs/*.md and README.md is a complete program: it
// is written to .cache/snippets/ (inside the package, so `threadkit/...` resolves to the build, as
// for a user) and run with tsx. A block followed by a ```text block whose info string says `output`
// must print exactly that. Blocks whose info string says `no-run` are fragments and are skipped.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = `${root}.cache/snippets`;

interface Snippet {
  readonly name: string;
  readonly code: string;
  readonly output: string | undefined;
}

/** The fenced blocks of a markdown file: runnable ts blocks with their expected output, if any. */
function extract(file: string): Snippet[] {
  const text = readFileSync(`${root}${file}`, 'utf8');
  const blocks = [...text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: m[1]!.trim().split(/\s+/),
    body: m[2]!,
    line: text.slice(0, m.index).split('\n').length,
  }));
  const snippets: Snippet[] = [];
  blocks.forEach((block, i) => {
    if (block.info[0] !== 'ts' || block.info.includes('no-run')) return;
    const next = blocks[i + 1];
    const output = next && next.info[0] === 'text' && next.info.includes('output') ? next.body : undefined;
    snippets.push({ name: `${file}:${block.line}`, code: block.body, output });
  });
  return snippets;
}

const files = [
  'README.md',
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
mkdirSync(outDir, { recursive: true });

for (const file of files) {
  const snippets = extract(file);
  if (snippets.length === 0) continue; // a guide without code (the choosing guide, runtime support)
  describe.concurrent(file, () => {
    for (const snippet of snippets) {
      it(`runs the snippet at ${snippet.name}`, async () => {
        const path = `${outDir}/${snippet.name.replace(/[/:.]/g, '_')}.ts`;
        writeFileSync(path, snippet.code);
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path], {
          cwd: root,
          timeout: 20_000,
        });
        if (snippet.output !== undefined) expect(stdout).toBe(snippet.output);
      });
    }
  });
}
