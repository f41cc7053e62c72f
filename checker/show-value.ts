/**
 * A step's result as a reader wants it in a story: short, one line, every number kept where
 * it fits (the value of a recheck, the block found, an errno). Results are plain data (the
 * generators' contract), so this never sees a function or a cycle; depth and length are still
 * capped so that a step that hands back a whole page or map stays one line.
 */
const MAX = 120;

function show(v: unknown, depth: number): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) {
    if (depth > 2) return `[… ${v.length}]`;
    const head = v.slice(0, 8).map((x) => show(x, depth + 1));
    return `[${head.join(' ')}${v.length > 8 ? ` … (${v.length})` : ''}]`;
  }
  if (typeof v === 'object') {
    if (depth > 2) return '{…}';
    const e = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${e.map(([k, x]) => `${k}: ${show(x, depth + 1)}`).join(', ')}}`;
  }
  return typeof v;
}

/** null when the step returned nothing (a lock, an unlock, a step that only writes). */
export function showValue(v: unknown): string | null {
  if (v === undefined) return null;
  const s = show(v, 0);
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}
