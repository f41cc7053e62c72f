import { describe, expect, it } from 'vitest';
import { SCENARIOS, onXip, story, storyTitle } from './stories.ts';

/**
 * The XIP scenarios of stories.ts on the successor design (variant dax-6.1: fs/dax.c's
 * iomap read, write and fault paths, ext2's iomap_begin, the DAX entry locks), compared with
 * `__stories__/dax-6.1.md`. Mutation testing found most of model/fs/dax.ts and
 * model/fs/ext2/dax.ts run by no test that looks at what they do step by step.
 */
describe('the XIP scenarios on the successor design, step by step (__stories__/dax-6.1.md)', () => {
  it(storyTitle('every scenario tells the recorded story, judged by every invariant and the reference', './__stories__/dax-6.1.md'), async () => {
    const text = `# XIP scenarios on dax-6.1 (test/mutation/dax-stories.test.ts)\n\n${SCENARIOS.filter(onXip).map((sc) => story(sc, 'dax-6.1')).join('\n\n')}\n`;
    await expect(text).toMatchFileSnapshot('./__stories__/dax-6.1.md');
  });
});
