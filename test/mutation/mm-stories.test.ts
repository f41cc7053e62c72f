import { describe, expect, it } from 'vitest';
import { SCENARIOS, story, storyTitle } from './stories.ts';

/** The scenarios of stories.ts on the reference design, compared with `__stories__/mm.md` (stories.ts says why). */
describe('the mm layer, step by step (__stories__/mm.md)', () => {
  it(storyTitle('every scenario tells the recorded story, judged by every invariant and the reference', './__stories__/mm.md'), async () => {
    const text = `# mm stories (test/mutation/mm-stories.test.ts)\n\n${SCENARIOS.map((sc) => story(sc)).join('\n\n')}\n`;
    await expect(text).toMatchFileSnapshot('./__stories__/mm.md');
  });
});
