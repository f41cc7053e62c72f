import type { Invariant } from '../invariant.ts';

/**
 * 16. Every call returns what the reference derives from its own state: the value, or the
 * errno, or one of the values the kernel may legitimately choose between (an mmap address,
 * fsync's writeback error). Allocation failures only with the medium exhausted.
 */
export const posixReturns: Invariant = {
  id: 'posix-returns',
  title: 'every call returns what POSIX says',
  why: 'A caller acts on the return value: a spurious error loses work (a write that reports ENOSPC on an empty disk), a missing one hides a failure (an unlink that succeeds on a read-only mount), a wrong count or descriptor sends the next call to the wrong place.',
  source: 'the system calls\' specifications as Linux 3.x implements them: open(2), close(2), read(2)/write(2), lseek(2), ftruncate(2), mmap(2)/munmap(2), unlink(2), fsync(2), mount(2)/umount(2); fs/open.c, fs/namei.c, fs/read_write.c, mm/mmap.c, fs/super.c, fs/block_dev.c, and the drivers\' sysfs and ioctl entry points',
  when: 'operation',
  brokenBy: 'mut-ftruncate-odd-einval',
  checkOp: (o) => (o.refMismatchKind === 'return' ? o.refMismatch : null),
};
