import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The historical-bug library (library.json), checked with zod when loaded: one entry per bug
 * from the kernel's history of XIP and its drivers, with the fix it reverts and where the fix
 * was read, the variant that reverts it, the invariant that catches it and its trace.
 */
const nonEmpty = z.string().min(1);
export const LibraryEntry = z.strictObject({
  id: nonEmpty,
  /** Date of the fix (author date of the commit), YYYY-MM-DD. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  fix: z.strictObject({
    subject: nonEmpty,
    /** The release the fix first appears in (an -rc window when the bug never reached a release). */
    version: nonEmpty,
    /** Abbreviated commit id as read, or null when only the mailing-list patch was read. */
    commit: z.string().regex(/^[0-9a-f]{7,40}$/).nullable(),
    /** Where the fix was read: a tree path and commit, or a list archive. */
    readIn: nonEmpty,
  }),
  /** The kernels that carry the bug. */
  buggy: nonEmpty,
  file: nonEmpty,
  function: nonEmpty,
  variant: nonEmpty,
  invariant: nonEmpty,
  /** The trace file in counterexamples/history/. */
  trace: z.string().regex(/^[A-Za-z0-9.+-]+\.trace\.json$/),
  question: nonEmpty,
  /** The scenario regenerate.ts replays: a model config and the calls, without observations. */
  scenario: z.strictObject({ config: z.record(z.string(), z.unknown()), steps: z.array(z.record(z.string(), z.unknown())).min(1) }),
});
export type LibraryEntry = z.infer<typeof LibraryEntry>;

export const Library = z.array(LibraryEntry).min(1);

export function loadLibrary(path = new URL('./library.json', import.meta.url)): LibraryEntry[] {
  const r = Library.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`counterexamples/history/library.json: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}
