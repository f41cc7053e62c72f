import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../scripts/docs.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { ACTION_CITES } from '../model/actions.ts';
import { VARIANTS } from '../model/variants.ts';

/**
 * docs/ is read without running anything, so what it says must be current and must stand
 * alone: the generated pages equal what `npm run docs` makes now, every relative link in
 * docs/ and README.md names a file of this repository, and no page points outside it.
 */
const ROOT = resolve(import.meta.dirname, '..');
const pages = (): string[] => [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f)),
];

describe('docs/generated is current', () => {
  const generated = generateDocs();
  for (const [path, text] of Object.entries(generated)) {
    it(`${path} is what npm run docs makes now`, () => {
      const committed = existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), 'utf8') : '(missing)';
      // a diff of whole pages is unreadable: name the first line that differs
      if (committed !== text) {
        const a = committed.split('\n'), b = text.split('\n');
        const k = b.findIndex((l, i) => l !== a[i]);
        expect.fail(`${path} is stale (run npm run docs): line ${k + 1} is ${JSON.stringify(a[k] ?? '(end)')}, now ${JSON.stringify(b[k] ?? '(end)')}`);
      }
    });
  }
  it('every invariant, action and variant is in them, each with its citation', () => {
    const inv = generated['docs/generated/invariants.md'];
    for (const i of INVARIANTS) {
      expect(inv).toContain(`## ${i.id}\n`);
      expect(inv).toContain(`**Source.** ${i.source}`);
    }
    const act = generated['docs/generated/actions.md'];
    for (const [op, cite] of Object.entries(ACTION_CITES)) expect(act).toContain(`## ${op}\n\n**Kernel entry.** ${cite}`);
    for (const v of VARIANTS) expect(generated['docs/generated/variants.md']).toContain(`| \`${v.name}\` |`);
  });
});

describe('docs stand alone', () => {
  it('no page names a file outside the repository', () => {
    for (const p of pages()) {
      const text = readFileSync(p, 'utf8');
      expect(text, relative(ROOT, p)).not.toMatch(/\.\.\/shared\/|\/work\/|kernel-xip-walkthrough|kernel-lab-notes/);
    }
  });
  it('every relative link resolves to a file of the repository', () => {
    const broken: string[] = [];
    for (const p of pages()) {
      const text = readFileSync(p, 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
        const abs = resolve(dirname(p), decodeURIComponent(target));
        if (!abs.startsWith(ROOT + '/') || !existsSync(abs)) broken.push(`${relative(ROOT, p)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
