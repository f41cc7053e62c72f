import type { Counterexample } from '../check.ts';
import { parseTrace, type ParsedTrace } from '../trace.ts';
import { replayTrace, type ReplayResult } from '../replay.ts';
import { counterexampleTrace } from '../write-trace.ts';
import { FINAL_NOTE } from '../sequence.ts';
import { describeCall } from '../describe.ts';
import { expectedLine, replayedLines } from './text.ts';
import { diagramOf, obsText, type Story } from './diagram.ts';
import { mermaidText } from './mermaid.ts';
import { escapeXml, svgDiagram } from './svg.ts';

/**
 * A trace told as a story: every step with what it returned, and for the concurrent steps and
 * the step that failed, every atomic step with the value it read and what it changed. The
 * values come from replaying the trace with detail on, never from the trace file's own
 * `expect` fields: a story shows what the model did.
 */
export function storyOfReplay(t: ParsedTrace, r: ReplayResult): Story {
  // a stored trace carries the final reads it was written with: they read as the observer's
  const fin = t.steps.findIndex((s) => s.note === FINAL_NOTE);
  const steps = r.steps.map((s, i) => (fin >= 0 && i >= fin ? { ...s, observer: true as const } : s));
  return {
    title: t.name,
    context: `variant ${r.variant}${t.system ? `, system ${t.system}` : ''}`,
    steps,
    violation: r.violation,
    ...(r.snapshot ? { snapshot: r.snapshot } : {}),
    verdict: expectedLine(r),
  };
}

/** Replay a trace with detail and tell it. */
export function storyOfTrace(t: ParsedTrace): { story: Story; result: ReplayResult } {
  const result = replayTrace(t, { detail: true });
  return { story: storyOfReplay(t, result), result };
}

/** A check counterexample, replayed from its own trace so that every step's values are shown. */
export function storyOfCounterexample(c: Counterexample): Story {
  const t = parseTrace(JSON.parse(JSON.stringify(counterexampleTrace(c))));
  const s = storyOfTrace(t).story;
  return { ...s, title: `${c.invariant} on ${c.system}`, context: `variant ${c.variant}, seed ${c.seed}, path "${c.path}"`, verdict: undefined };
}


export function storyText(story: Story): string {
  const out = [`${story.title} — ${story.context}`];
  for (const l of replayedLines(story.steps, story.violation, (n) => n !== FINAL_NOTE)) out.push(l);
  if (story.snapshot?.length) out.push(`state ${story.violation ? 'after the failed step' : 'at the end'}:`, ...story.snapshot.map((l) => `  ${l}`));
  if (story.verdict) out.push(story.verdict);
  return out.join('\n');
}

export function storyMermaid(story: Story): string {
  return mermaidText(diagramOf(story));
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown with the diagram as a mermaid block (GitHub draws it) and the steps as a table. */
export function storyMarkdown(story: Story, level = 2): string {
  const h = '#'.repeat(level);
  const out = [`${h} ${story.title}`, '', `*${story.context}.* ${story.violation ? `**✗ ${story.violation.invariant}** at step ${story.violation.step + 1}: ${mdCell(story.violation.message)}` : 'Every invariant holds.'}${story.verdict ? ` (${story.verdict})` : ''}`, ''];
  out.push('```mermaid', storyMermaid(story), '```', '');
  out.push('| step | call | returned |', '|---|---|---|');
  story.steps.forEach((s, i) => {
    if (s.observer) return;
    s.threads.forEach((p, t) => p.forEach((c, k) => out.push(`| ${i + 1}${s.threads.length > 1 ? ` T${t}` : ''} | \`${mdCell(describeCall(c))}\` | ${mdCell(obsText(c, s.obs[t]?.[k]))} |`)));
  });
  if (story.snapshot?.length) out.push('', `State ${story.violation ? 'after the failed step' : 'at the end'}:`, '', ...story.snapshot.map((l) => `- ${mdCell(l)}`));
  const obsN = story.steps.filter((s) => s.observer).length;
  if (obsN) out.push('', `Then ${obsN} final read${obsN === 1 ? '' : 's'} (${FINAL_NOTE}).`);
  const detailed = story.steps.map((s, i) => ({ s, i })).filter(({ s, i }) => (s.threads.length > 1 || s.threads[0].length > 1 || i === story.violation?.step) && s.atoms?.length);
  for (const { s, i } of detailed) {
    out.push('', `Step ${i + 1}, atomic step by atomic step:`, '', '| # | thread | step | returned | changed |', '|---|---|---|---|---|');
    s.atoms!.forEach((a, k) => out.push(`| ${k + 1} | T${a.thread} | \`${mdCell(a.label)}\` | ${a.value !== null ? `\`${mdCell(a.value)}\`` : ''} | ${mdCell(a.effects.map((e) => e.text).join('; '))} |`));
  }
  return out.join('\n');
}

export const HTML_STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}pre{background:#f6f6f6;padding:.6em;overflow:auto}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.bad{color:#a00;font-weight:bold}.ok{color:#070;font-weight:bold}.diagram{overflow:auto;border:1px solid #ddd;margin:.5em 0}
code{font-size:12px}`;

/** One story as an HTML fragment: the diagram (inline SVG) and the table of atomic steps. */
export function storyHtmlSection(story: Story): string {
  const out = [`<section class="story"><h2>${escapeXml(story.title)}</h2>`, `<p>${escapeXml(story.context)}. ${story.violation ? `<span class="bad">✗ ${escapeXml(story.violation.invariant)}</span> at step ${story.violation.step + 1}: ${escapeXml(story.violation.message)}` : '<span class="ok">every invariant holds</span>'}${story.verdict ? ` (${escapeXml(story.verdict)})` : ''}</p>`];
  out.push(`<div class="diagram">${svgDiagram(diagramOf(story))}</div>`);
  out.push(`<details><summary>the story as text</summary><pre>${escapeXml(storyText(story))}</pre></details></section>`);
  return out.join('\n');
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${HTML_STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

export function storyHtml(story: Story): string {
  return htmlPage(`xipcheck: ${story.title}`, `<h1>xipcheck replay</h1>\n${storyHtmlSection(story)}`);
}
