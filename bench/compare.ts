/** `npm run bench -- --against REV`: the figures of two bench runs side by side, as ratios. */

export interface ComparedFigure {
  readonly path: string;
  readonly then: number;
  readonly now: number;
  /** now / then; null where then is 0. */
  readonly ratio: number | null;
}

/**
 * Every figure two `bench --json` outputs both hold, by its path: each object with a numeric
 * `median` (a repeated measurement: its median), and each plain number but the counts of runs
 * and repeats (settings, not results).
 */
export function compareBench(then: unknown, now: unknown): ComparedFigure[] {
  const rows: ComparedFigure[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
      if (typeof a === 'number' && typeof b === 'number' && path && !/(^|\.)(repeat|runs)$/.test(path)) rows.push({ path, then: a, now: b, ratio: a ? b / a : null });
      return;
    }
    const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
    if (typeof x.median === 'number' && typeof y.median === 'number') {
      rows.push({ path, then: x.median, now: y.median, ratio: x.median ? y.median / x.median : null });
      return;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return;
    for (const k of Object.keys(x)) if (k in y) walk(x[k], y[k], path ? `${path}.${k}` : k);
  };
  walk(then, now, '');
  return rows;
}

/** The figures as a table: figure, then, now, now/then. */
export function renderComparison(rows: readonly ComparedFigure[], thenName: string, nowName: string): string {
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
  const w = Math.max(6, ...rows.map((r) => r.path.length));
  const lines = [`${'figure'.padEnd(w)}  ${thenName.padStart(12)}  ${nowName.padStart(12)}  now/then`];
  for (const r of rows) lines.push(`${r.path.padEnd(w)}  ${fmt(r.then).padStart(12)}  ${fmt(r.now).padStart(12)}  ${r.ratio === null ? 'n/a' : r.ratio.toFixed(2)}`);
  return lines.join('\n');
}
