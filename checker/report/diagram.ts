import type { Action } from '../../model/actions.ts';
import type { Observation } from '../../model/state.ts';
import { describeCall, describeObs } from '../describe.ts';
import type { ReplayedStep } from '../replay.ts';
import { FINAL_NOTE } from '../sequence.ts';

/**
 * A trace as a sequence diagram, before it is drawn: the processes as lifelines beside four
 * of the kernel's (locks, page tables, blocks and inodes, the kernel's other steps), and
 * messages in the order the atomic steps ran. Mermaid text and the HTML report's SVG are two
 * drawings of this one model, so they cannot tell different stories.
 */
/** A step as a story tells it: a replayed step, whose observations may be unpinned (a counterexample's). */
export type StoryStep = Omit<ReplayedStep, 'mismatches'> & { readonly mismatches?: readonly string[] };

export interface Story {
  readonly title: string;
  /** Variant and system, one line. */
  readonly context: string;
  readonly steps: readonly StoryStep[];
  readonly violation: { readonly invariant: string; readonly message: string; readonly at?: string; readonly step: number } | null;
  /** What the trace expects and whether it happened (replay only). */
  readonly verdict?: string;
  /** The state where the run ended: ptes, files' sizes and blocks, the sparse page. */
  readonly snapshot?: readonly string[];
}

export interface Participant { readonly id: string; readonly label: string }

export type Item =
  | { readonly kind: 'msg'; readonly from: string; readonly to: string; readonly text: string; readonly reply?: boolean }
  | { readonly kind: 'note'; readonly over: readonly string[]; readonly text: string; readonly tone?: 'step' | 'bad' | 'info' };

export interface Diagram {
  readonly participants: readonly Participant[];
  readonly items: readonly Item[];
}

export const LOCKS = 'locks', PTES = 'ptes', FS = 'fs', KERNEL = 'kernel';
const KERNEL_SIDE: readonly Participant[] = [
  { id: KERNEL, label: 'kernel' },
  { id: LOCKS, label: 'locks' },
  { id: PTES, label: 'page tables' },
  { id: FS, label: 'blocks, inodes, media' },
];

export const obsText = (c: Action, o: Observation | undefined): string => (o ? describeObs(c, o) : '(did not finish)');

/** The lifeline of thread `t` of a step: its process, or the process and thread when two threads share a process. */
function lifeline(step: StoryStep, t: number): string {
  const pid = step.threads[t][0]?.pid ?? 0;
  const shared = step.threads.some((p, u) => u !== t && p[0]?.pid === pid);
  return shared ? `P${pid}_T${t}` : `P${pid}`;
}

function callText(c: Action): string {
  return describeCall(c).replace(/^P\d+ /, '');
}

/**
 * Sequential steps are one call and its return; a concurrent step, and the step an invariant
 * failed at, show every atomic step with what it returned and what it changed. The final
 * observer's reads are summed up in one note unless one of them failed.
 */
export function diagramOf(story: Story): Diagram {
  const procs = new Set<string>();
  const items: Item[] = [];
  const failed = story.violation?.step;
  const firstObserver = story.steps.findIndex((s) => s.observer);
  story.steps.forEach((s, i) => {
    if (s.observer && i !== failed) {
      if (i === firstObserver) {
        const n = story.steps.filter((x) => x.observer).length;
        const bad = story.steps.some((x, j) => x.observer && (x.mismatches?.length || j === failed));
        items.push({ kind: 'note', over: [KERNEL, FS], text: `${FINAL_NOTE} (${n} call${n === 1 ? '' : 's'}${bad ? '' : ', all as derived'})`, tone: 'info' });
      }
      return;
    }
    const lines = s.threads.map((_, t) => lifeline(s, t));
    lines.forEach((l) => procs.add(l));
    const concurrent = s.threads.length > 1 || s.threads[0].length > 1;
    const detailed = (concurrent || i === failed) && s.atoms?.length;
    if (concurrent) items.push({ kind: 'note', over: [...new Set(lines)], text: `step ${i + 1}: concurrently${s.schedule ? `, schedule [${s.schedule.join(' ')}]` : ''}`, tone: 'step' });
    if (!detailed) {
      s.threads.forEach((p, t) => p.forEach((c, k) => {
        items.push({ kind: 'msg', from: lines[t], to: KERNEL, text: `${concurrent ? '' : `${i + 1}. `}${callText(c)}` });
        items.push({ kind: 'msg', from: KERNEL, to: lines[t], text: obsText(c, s.obs[t]?.[k]), reply: true });
      }));
    } else {
      const started = new Set<string>();
      const atoms = s.atoms!;
      atoms.forEach((a, n) => {
        const from = lines[a.thread];
        const c = s.threads[a.thread][a.call];
        const key = `${a.thread}.${a.call}`;
        if (!started.has(key)) {
          started.add(key);
          items.push({ kind: 'note', over: [from], text: `${concurrent ? `T${a.thread}: ` : `${i + 1}. `}${callText(c)}`, tone: 'step' });
        }
        const lock = /^(un)?lock\((.*)\)$/.exec(a.label);
        if (lock) items.push({ kind: 'msg', from, to: LOCKS, text: `${lock[1] ? 'unlock' : 'lock'} ${lock[2]}`, reply: !!lock[1] });
        else {
          items.push({ kind: 'msg', from, to: KERNEL, text: a.label });
          if (a.value !== null) items.push({ kind: 'msg', from: KERNEL, to: from, text: a.value, reply: true });
        }
        for (const e of a.effects) items.push({ kind: 'msg', from: KERNEL, to: e.kind === 'pte' || e.kind === 'sparse' ? PTES : FS, text: e.text });
        const last = !atoms.slice(n + 1).some((b) => b.thread === a.thread && b.call === a.call);
        const o = s.obs[a.thread]?.[a.call];
        if (last && o) items.push({ kind: 'msg', from: KERNEL, to: from, text: `returns ${obsText(c, o)}`, reply: true });
      });
    }
    for (const m of s.mismatches ?? []) items.push({ kind: 'note', over: [...new Set(lines)], text: `✗ observation: ${m}`, tone: 'bad' });
    if (i === failed && story.violation) {
      items.push({ kind: 'note', over: [...new Set(lines)], text: `✗ ${story.violation.invariant}: ${story.violation.message}`, tone: 'bad' });
      for (const l of story.snapshot ?? []) items.push({ kind: 'note', over: [PTES, FS], text: l, tone: 'info' });
    }
  });
  const ps = [...procs].sort((a, b) => (a < b ? -1 : 1)).map((id) => ({ id, label: id.replace('_', ' ') }));
  return { participants: [...ps, ...KERNEL_SIDE], items };
}
