import { tracked } from './tables.ts';
/**
 * Branch catalogue. Every kernel branch the model distinguishes is declared once, at module
 * load, by the file that models it; `cover` requests name one of them. The checker reports
 * each declared branch that a run never reached — an unreached branch is a finding about the
 * search, not noise.
 */
const catalogue = tracked('branch', new Map<string, string>());

/** Declare the branches of one kernel function; returns the list for typed `cover` calls. */
export function branches<const B extends readonly string[]>(
  fn: string, cites: string, names: B,
  /** Branches the reference design cannot reach, each with the reason (defensive kernel checks). */
  unreachable: Partial<Record<B[number], string>> = {},
): { fn: string; names: B } {
  for (const n of names) catalogue.set(`${fn}:${n}`, cites);
  for (const [n, why] of Object.entries(unreachable)) defensive.set(`${fn}:${n}`, why as string);
  return { fn, names };
}

const defensive = tracked('unreachable branch', new Map<string, string>());

/** Branches declared unreachable in the reference design, with why: reported apart, never silently. */
export function defensiveBranches(): ReadonlyMap<string, string> {
  return defensive;
}

export function allBranches(): ReadonlyMap<string, string> {
  return catalogue;
}

let sink: ((branch: string) => void) | null = null;

/**
 * Record a branch from inside an atomic step's body. Step bodies run exactly once, live (never
 * on replay), so the runtime installs the sink only around them.
 */
export function hit(b: { fn: string }, name: string): void {
  sink?.(`${b.fn}:${name}`);
}

export function withSink<T>(s: ((branch: string) => void) | undefined, f: () => T): T {
  const prev = sink;
  sink = s ?? null;
  try {
    return f();
  } finally {
    sink = prev;
  }
}
