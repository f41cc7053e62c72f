import type { Invariant } from './invariant.ts';
import { aopsExclusion } from './invariants/aops-exclusion.ts';
import { noPagecacheCopies } from './invariants/no-pagecache-copies.ts';
import { addressValidity } from './invariants/address-validity.ts';
import { coherence } from './invariants/coherence.ts';
import { sparsePage, sparseRetired } from './invariants/sparse-page.ts';
import { privateStaysPrivate } from './invariants/private-stays-private.ts';
import { newBlockZeroed } from './invariants/new-block-zeroed.ts';
import { noStaleMapping, truncateZeroesTail } from './invariants/truncate-complete.ts';
import { readOnly } from './invariants/read-only.ts';
import { mountRules, xipModeStable } from './invariants/mount-rules.ts';
import { transferExact } from './invariants/transfer-exact.ts';
import { refcounts } from './invariants/refcounts.ts';
import { posixReturns } from './invariants/posix-returns.ts';
import { driverContract } from './invariants/driver-contract.ts';
import { blockOwnership } from './invariants/block-ownership.ts';

/** The invariant catalogue, in the order of the foundation issue's list (1–12; 5, 8, 10 in two parts), then issue 7's. */
export const INVARIANTS: readonly Invariant[] = [
  aopsExclusion, noPagecacheCopies, addressValidity, coherence, sparsePage, sparseRetired, privateStaysPrivate,
  newBlockZeroed, noStaleMapping, truncateZeroesTail, readOnly, mountRules, xipModeStable, transferExact, refcounts,
  posixReturns, driverContract, blockOwnership,
];

export function invariantById(id: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.id === id);
}
