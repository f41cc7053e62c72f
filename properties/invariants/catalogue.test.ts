import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../registry.ts';
import { brokenVariantOf } from '../../model/variants.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8').replace(/\s+/g, ' ');

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

/** The prose that describes the catalogue says what the registry holds. */
describe('the docs describe the invariant catalogue of properties/registry.ts', () => {
  const count = WORDS[INVARIANTS.length];

  it(`README and docs say ${count}`, () => {
    expect(count, 'extend WORDS').toBeDefined();
    expect(read('README.md').toLowerCase()).toContain(`${count} named invariants`);
    expect(read('README.md').toLowerCase()).toContain(`all ${count} invariants`);
    expect(read('docs/explanation.md')).toContain(`the ${count} invariants of \`properties/registry.ts\``);
    expect(read('docs/README.md')).toContain(`the ${count} properties`);
  });

  it('explanation.md has a section per invariant, naming its broken variant', () => {
    const text = read('docs/explanation.md');
    for (const inv of INVARIANTS) {
      expect(text, inv.id).toContain(`## ${inv.id} `);
      expect(text, inv.id).toContain(`This is invariant \`${inv.id}\`; broken model: \`--variant ${brokenVariantOf(inv.brokenBy)}\``);
    }
  });

  it('overview.md §5 lists each invariant under its `when`', () => {
    const rows = readFileSync(new URL('docs/overview.md', root), 'utf8').split('\n').filter((l) => /^\| `[a-z-]+` \|/.test(l));
    for (const inv of INVARIANTS) {
      const row = rows.find((r) => r.startsWith(`| \`${inv.when}\` |`));
      expect(row?.split('|')[3], `${inv.id} (${inv.when})`).toMatch(new RegExp(`(^|[ ,])${inv.id}([ ,(]|$)`));
    }
  });
});
