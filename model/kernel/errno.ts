/**
 * Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h). The model returns
 * them negated, as the kernel's own functions do, so a trace reads like a kernel log.
 */
export const EPERM = 1, ENOENT = 2, EIO = 5, ENXIO = 6, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14,
  EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, EFBIG = 27, ENOSPC = 28, EROFS = 30,
  ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EIO]: 'EIO', [ENXIO]: 'ENXIO', [EBADF]: 'EBADF', [ENOMEM]: 'ENOMEM',
  [EACCES]: 'EACCES', [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [ENODEV]: 'ENODEV',
  [EINVAL]: 'EINVAL', [EFBIG]: 'EFBIG', [ENOSPC]: 'ENOSPC', [EROFS]: 'EROFS', [ERANGE]: 'ERANGE',
  [ENODATA]: 'ENODATA', [EOPNOTSUPP]: 'EOPNOTSUPP',
};

/** `-22` → `-EINVAL`; non-negative values print as numbers. */
export function errnoName(ret: number): string {
  if (ret >= 0) return String(ret);
  return NAMES[-ret] ? `-${NAMES[-ret]}` : String(ret);
}

/** `'EINVAL'` or `'-EINVAL'` → `-22`, for trace files that spell errors by name. */
export function errnoValue(name: string): number | undefined {
  const bare = name.replace(/^-/, '');
  for (const [k, v] of Object.entries(NAMES)) if (v === bare) return -Number(k);
  return undefined;
}
