// What `npm pack` puts in the tarball: the build, the hand-written guides, the README and the licence.
// The README and the guides link to each other by relative paths, which must resolve inside the
// tarball, where a user of the npm package reads them (the repository's other files are not there).
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The paths `npm pack` would put in the tarball, relative to the package root. */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO,
    timeout: 20_000,
  });
  const [report] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return new Set(report.files.map((f) => f.path));
}

/** The relative link targets of a markdown file (external links and same-page anchors left out). */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

describe('the packed tarball', () => {
  let files: Set<string>;
  beforeAll(async () => {
    files = await packedFiles();
  });

  it('holds the README, the licence, the guides and the worker bootstraps', () => {
    const guides = readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md'));
    expect(guides.length).toBeGreaterThan(0);
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/thread-worker.js',
      'dist/thread-worker.cjs',
      'dist/standalone/thread-worker.cjs',
      ...guides.map((g) => `docs/${g}`),
    ]) {
      expect(files, file).toContain(file);
    }
  });

  it('leaves out sources, tests and generated docs', () => {
    const stray = [...files].filter(
      (f) => !/^(?:dist\/|docs\/[^/]+\.md$|README\.md$|LICENSE$|package\.json$)/.test(f),
    );
    expect(stray).toEqual([]);
  });

  it('every relative link of the README and the guides resolves inside it', () => {
    const markdown = [...files].filter((f) => f.endsWith('.md'));
    const broken: string[] = [];
    for (const file of markdown) {
      for (const target of relativeLinks(readFileSync(join(REPO, file), 'utf8'))) {
        const resolved = normalize(join(dirname(file), target)).replace(/\\/g, '/');
        if (!files.has(resolved)) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
