import type { Invariant } from '../invariant.ts';

/** 4. Every byte read or loaded, and every signal, agrees with the abstract POSIX reference (across processes). */
export const coherence: Invariant = {
  id: 'coherence',
  title: 'all views of a file agree',
  why: 'read(), write() and loads/stores through any mapping in any process are views of one set of bytes on the medium; if two views can disagree, a program sees data that was never written or loses data that was.',
  source: 'xip.txt (3.19): "read&write type operations are performed directly from/to the memory backed storage device. For file mappings, the storage device itself is mapped directly into userspace."',
  when: 'operation',
  brokenBy: 'read-skips-data',
  checkOp: (o) => (o.refMismatchKind === 'data' ? o.refMismatch : null),
};
