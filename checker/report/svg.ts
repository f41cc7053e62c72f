import type { Diagram } from './diagram.ts';

/**
 * The sequence diagram as inline SVG, for the HTML report: drawn here rather than by Mermaid in
 * the browser so that the report is one file that needs no script and no network. One row per
 * message or note, so a long message may cross lifelines but never another message.
 */
const COL = 150, ROW = 22, TOP = 44, LEFT = 20;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function svgDiagram(d: Diagram): string {
  const x = new Map(d.participants.map((p, i) => [p.id, LEFT + i * COL + COL / 2]));
  const longest = Math.max(0, ...d.items.map((it) => it.text.length));
  const width = LEFT * 2 + d.participants.length * COL + Math.max(0, longest * 6.2 - COL);
  const height = TOP + d.items.length * ROW + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="${Math.ceil(width)}" height="${height}" viewBox="0 0 ${Math.ceil(width)} ${height}" role="img">`);
  out.push('<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>');
  for (const p of d.participants) {
    const cx = x.get(p.id)!;
    out.push(`<g class="lifeline" data-id="${escapeXml(p.id)}"><rect x="${cx - COL / 2 + 8}" y="6" width="${COL - 16}" height="24" rx="4" fill="#eef" stroke="#557"/>`
      + `<text x="${cx}" y="22" text-anchor="middle" font-size="12">${escapeXml(p.label)}</text>`
      + `<line x1="${cx}" y1="30" x2="${cx}" y2="${height - 8}" stroke="#99a" stroke-dasharray="3,3"/></g>`);
  }
  d.items.forEach((it, i) => {
    const y = TOP + i * ROW;
    if (it.kind === 'note') {
      const xs = it.over.map((o) => x.get(o)!);
      const x0 = Math.min(...xs) - COL / 2 + 12, x1 = Math.max(...xs) + COL / 2 - 12;
      const fill = it.tone === 'bad' ? '#fdd' : it.tone === 'info' ? '#eee' : '#ffc';
      out.push(`<g class="note"><rect x="${x0}" y="${y - 2}" width="${x1 - x0}" height="${ROW - 4}" fill="${fill}" stroke="#aa8"/>`
        + `<text x="${x0 + 4}" y="${y + 13}" font-size="11">${escapeXml(it.text)}</text></g>`);
    } else {
      const a = x.get(it.from)!, b = x.get(it.to)!;
      const dash = it.reply ? ' stroke-dasharray="4,3"' : '';
      const line = a === b
        ? `<path d="M${a},${y + 8} h24 v8 h-24" fill="none" stroke="#333" marker-end="url(#arr)"${dash}/>`
        : `<line x1="${a}" y1="${y + 14}" x2="${b}" y2="${y + 14}" stroke="#333" marker-end="url(#arr)"${dash}/>`;
      out.push(`<g class="msg">${line}<text x="${Math.min(a, b) + 6}" y="${y + 10}" font-size="11"><title>${escapeXml(it.text)}</title>${escapeXml(it.text)}</text></g>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}
