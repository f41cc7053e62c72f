import type { Diagram } from './diagram.ts';

/**
 * Mermaid's sequenceDiagram text (what GitHub renders in Markdown). Message text is escaped to
 * the characters Mermaid's grammar leaves alone: `;` ends a statement, `#` starts an entity
 * code, a newline ends the message, `<`/`>` would be read as HTML, and `%%` starts a comment.
 */
export function mermaidText(d: Diagram): string {
  const esc = (s: string) => s
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, '№')
    .replace(/%%/g, '%')
    .replace(/</g, '‹')
    .replace(/>/g, '›');
  const lines = ['sequenceDiagram'];
  for (const p of d.participants) lines.push(`  participant ${p.id} as ${esc(p.label)}`);
  for (const it of d.items) {
    if (it.kind === 'note') {
      const over = it.over.length > 1 ? `${it.over[0]},${it.over[it.over.length - 1]}` : it.over[0];
      lines.push(`  Note over ${over}: ${esc(it.text)}`);
    } else lines.push(`  ${it.from}${it.reply ? '-->>' : '->>'}${it.to}: ${esc(it.text)}`);
  }
  return lines.join('\n');
}
