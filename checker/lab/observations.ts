import { z } from 'zod';

/**
 * What the lab executor prints (lab/guest/executor.c), one JSON object per line, after the
 * guest script prefixed each with the mount it ran on. Everything from the guest is input from
 * outside: each line is checked here, and a line that is not one of these is reported with its
 * number, never trusted.
 */
const Byte = z.number().int().min(-1).max(255);
export const KernelCall = z.strictObject({
  mount: z.string().min(1),
  scenario: z.string().min(1),
  pid: z.number().int().min(0),
  step: z.number().int().min(0),
  th: z.number().int().min(0),
  k: z.number().int().min(0),
  op: z.string().min(1),
  ret: z.number().int().optional(),
  /** One entry per model byte: the real bytes it stands for, or -1 if they were not all equal. */
  data: z.array(Byte).optional(),
  signal: z.enum(['SIGBUS', 'SIGSEGV']).nullable().optional(),
  stat: z.strictObject({ size: z.number().int().min(0), blocks: z.number().int().min(0) }).optional(),
  /** bfree may be negative on xfs: below the hidden slack (docs/lab.md). */
  statfs: z.strictObject({ blocks: z.number().int().min(0), bfree: z.number().int(), ro: z.boolean() }).optional(),
  /** statx: STATX_ATTR_DAX set on the inode. */
  dax: z.boolean().optional(),
  /** The inode number of a file just opened: names it in the kernel's trace. */
  ino: z.number().int().min(0).optional(),
  /** A count or size that is not a whole number of model bytes (in real bytes). */
  partial: z.number().int().optional(),
  unsupported: z.literal(true).optional(),
  /** The executor answered for the kernel with the model's bound: a buffer past the model's address-space top (access_ok), a position past its s_maxbytes. */
  harness: z.enum(['access_ok', 's_maxbytes']).optional(),
});
export type KernelCall = z.infer<typeof KernelCall>;

const Done = z.strictObject({ mount: z.string(), scenario: z.string(), done: z.literal(true) });
const Failed = z.strictObject({ mount: z.string(), scenario: z.string(), error: z.string() });

export interface KernelRun {
  readonly calls: readonly KernelCall[];
  /** `mount/scenario` of every scenario that ran to its end. */
  readonly done: ReadonlySet<string>;
  readonly failed: readonly { readonly mount: string; readonly scenario: string; readonly error: string }[];
  readonly malformed: readonly { readonly line: number; readonly message: string }[];
}

export function parseKernelRun(text: string): KernelRun {
  const calls: KernelCall[] = [], failed: KernelRun['failed'][number][] = [], malformed: KernelRun['malformed'][number][] = [];
  const done = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let v: unknown;
    try { v = JSON.parse(line); } catch { malformed.push({ line: i + 1, message: 'not JSON' }); return; }
    const c = KernelCall.safeParse(v);
    if (c.success) { calls.push(c.data); return; }
    const d = Done.safeParse(v);
    if (d.success) { done.add(`${d.data.mount}/${d.data.scenario}`); return; }
    const f = Failed.safeParse(v);
    if (f.success) { failed.push(f.data); return; }
    const issue = c.error.issues[0];
    malformed.push({ line: i + 1, message: `${issue.path.join('.') || 'line'}: ${issue.message}` });
  });
  return { calls, done, failed, malformed };
}
