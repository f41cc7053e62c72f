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
  /** The audited module, which a trace of an audit needs to be replayed. */
  readonly plugin?: string;
}

/**
 * Each trace told, or why it cannot be here: an audit's trace names the audited plug-in,
 * which this process may not have loaded (`xipcheck replay TRACE --plugin MODULE` draws it).
 */
function storiesOf(p: PageInput): (Story | string)[] {
  return p.traces.map((t) => {
    try {
      return storyOfTrace(parseTrace(JSON.parse(JSON.stringify(t.json)))).story;
    } catch (e) {
      return `not drawn here (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); draw it with: npx xipcheck replay ${t.path ?? 'TRACE'} --format html${p.plugin ? ` --plugin ${p.plugin}` : ''}`;
    }
  });
}

export function reportMarkdown(p: PageInput): string {
  const out = [`## ${p.failed ? '❌' : '✅'} xipcheck ${p.command}: ${p.verdict}`, ''];
  storiesOf(p).forEach((s, i) => {
    out.push(typeof s === 'string' ? `### counterexample ${i + 1}\n\n${s}` : storyMarkdown(s, 3), '');
    if (p.traces[i].path) out.push(`Trace: \`${p.traces[i].path}\` — replay with \`npx xipcheck replay ${p.traces[i].path}\`.`, '');
  });
  out.push('<details><summary>full report</summary>', '', '```text', p.text.replace(/```/g, "'''"), '```', '', '</details>');
  return out.join('\n');
}

export function reportHtml(p: PageInput): string {
  const body = [
    `<h1>xipcheck ${escapeXml(p.command)}</h1>`,
    `<p class="verdict ${p.failed ? 'bad' : 'ok'}">${p.failed ? '✗' : '✓'} ${escapeXml(p.verdict)}</p>`,
    ...storiesOf(p).map((s, i) => `${typeof s === 'string' ? `<section class="story"><h2>counterexample ${i + 1}</h2><p>${escapeXml(s)}</p></section>` : storyHtmlSection(s)}${p.traces[i].path ? `<p>trace: <code>${escapeXml(p.traces[i].path!)}</code></p>` : ''}`),
    `<h2>report</h2><pre class="report">${escapeXml(p.text)}</pre>`,
  ].join('\n');
  return htmlPage(`xipcheck ${p.command}: ${p.verdict}`, body);
}
