import { parseTrace } from '../trace.ts';
import type { Story } from './diagram.ts';
import { htmlPage, storyHtmlSection, storyMarkdown, storyOfTrace } from './story.ts';
import { escapeXml } from './svg.ts';

/**
 * The Markdown and HTML reports of check, explore and audit: the verdict first, then the text
 * report whole (it holds the summary, the invariant table, coverage and the exclusions), then
 * each counterexample drawn. The counterexample is told from its own trace file's content,
 * replayed with detail, so the diagram shows what every atomic step returned.
 */
export interface PageInput {
  readonly command: string;
  /** The run's verdict in a few words, and whether it fails the job. */
  readonly verdict: string;
  readonly failed: boolean;
  /** The text reporter's output. */
  readonly text: string;
  /** The counterexamples' trace files' contents (as written), with where each was written. */
  readonly traces: readonly { readonly json: object; readonly path?: string }[];
}

function storiesOf(p: PageInput): Story[] {
  return p.traces.map((t) => storyOfTrace(parseTrace(JSON.parse(JSON.stringify(t.json)))).story);
}

export function reportMarkdown(p: PageInput): string {
  const out = [`## ${p.failed ? '❌' : '✅'} xipcheck ${p.command}: ${p.verdict}`, ''];
  storiesOf(p).forEach((s, i) => {
    out.push(storyMarkdown(s, 3), '');
    if (p.traces[i].path) out.push(`Trace: \`${p.traces[i].path}\` — replay with \`npx xipcheck replay ${p.traces[i].path}\`.`, '');
  });
  out.push('<details><summary>full report</summary>', '', '```text', p.text.replace(/```/g, "'''"), '```', '', '</details>');
  return out.join('\n');
}

export function reportHtml(p: PageInput): string {
  const body = [
    `<h1>xipcheck ${escapeXml(p.command)}</h1>`,
    `<p class="verdict ${p.failed ? 'bad' : 'ok'}">${p.failed ? '✗' : '✓'} ${escapeXml(p.verdict)}</p>`,
    ...storiesOf(p).map((s, i) => `${storyHtmlSection(s)}${p.traces[i].path ? `<p>trace: <code>${escapeXml(p.traces[i].path!)}</code></p>` : ''}`),
    `<h2>report</h2><pre class="report">${escapeXml(p.text)}</pre>`,
  ].join('\n');
  return htmlPage(`xipcheck ${p.command}: ${p.verdict}`, body);
}
