/**
 * What a file system may call: the kernel functions ext2 (fs/ext2/*.c, 3.19) calls, and nothing
 * else. A file system — the reference ext2 and an auditor's own — imports the kernel only from
 * here (test/layering.test.ts holds ext2 to it). The generic mm and VFS functions a file system
 * puts in its tables or calls from its own code run their steps as the kernel's: under
 * `xipcheck audit` the guard judges only the steps the file system takes itself.
 */
import { kernelProc } from '../kernel/plugin-guard.ts';
import * as filemap_xip from '../mm/filemap_xip.ts';
import * as filemap from '../mm/filemap.ts';
import * as truncate from '../mm/truncate.ts';
import * as libfs from '../vfs/libfs.ts';
import * as dax from './dax.ts';

export { atomic, read, lock, unlock, cover, type Ctx, type Proc } from '../kernel/step.ts';
export { branches, hit } from '../kernel/coverage.ts';
export { has } from '../kernel/variant.ts';
export { PAGE_SECTORS } from '../config.ts';
export { padTo, pagesFor, sbOf, setAt, updateDevice, updateInode, withSb, type Inode, type State, type SuperBlock, type StatfsObs } from '../state.ts';
export { writePfn, zeros } from '../kernel/physmem.ts';
export { bioRead, bioWrite, blkdev_get, blkdev_put, partitionPage, partitionPages } from '../block/block_device.ts';
export { direct_access, hasDirectAccess } from '../block/direct_access.ts';
export { mapping_is_xip } from './aops.ts';
export { xip_file_mmap } from '../mm/xip_file_fault.ts';
export { generic_file_mmap } from '../mm/filemap.ts';
export { i_mutex, invalidate_lock } from '../mm/locks.ts';
export { register_vm_ops, type FaultResult, type VmOperations } from '../mm/vm_operations.ts';
export { generic_write_checks } from '../vfs/generic_write_checks.ts';
export type { Transfer } from '../mm/filemap_xip.ts';
export type { Buf } from '../mm/user_copy.ts';
export type { Vma } from '../state.ts';
export type { Iomap, IomapOps } from './iomap.ts';
export type { AddressSpaceOperations, XipMem } from './address_space_operations.ts';
export type { FileOperations, WritebackRange } from './file_operations.ts';
export { register_filesystem, type FileSystemType, type FsLayout, type MkfsFile, type MountArgs, type SuperOperations, type SuperResult } from './super_operations.ts';

// mm/filemap_xip.c, mm/filemap.c, mm/truncate.c, fs/libfs.c: the generic halves of a file system
export const xip_file_read: typeof filemap_xip.xip_file_read = (...a) => kernelProc(filemap_xip.xip_file_read(...a));
export const xip_file_write: typeof filemap_xip.xip_file_write = (...a) => kernelProc(filemap_xip.xip_file_write(...a));
export const xip_truncate_page: typeof filemap_xip.xip_truncate_page = (...a) => kernelProc(filemap_xip.xip_truncate_page(...a));
export const generic_file_read: typeof filemap.generic_file_read = (...a) => kernelProc(filemap.generic_file_read(...a));
export const generic_file_write: typeof filemap.generic_file_write = (...a) => kernelProc(filemap.generic_file_write(...a));
export const block_truncate_page: typeof filemap.block_truncate_page = (...a) => kernelProc(filemap.block_truncate_page(...a));
export const truncate_setsize: typeof truncate.truncate_setsize = (...a) => kernelProc(truncate.truncate_setsize(...a));
export const generic_file_fsync: typeof libfs.generic_file_fsync = (...a) => kernelProc(libfs.generic_file_fsync(...a));
// fs/dax.c (6.1), for the DAX tables of the variant dax-6.1
export const dax_iomap_read: typeof dax.dax_iomap_read = (...a) => kernelProc(dax.dax_iomap_read(...a));
export const dax_iomap_write: typeof dax.dax_iomap_write = (...a) => kernelProc(dax.dax_iomap_write(...a));
export const dax_iomap_pte_fault: typeof dax.dax_iomap_pte_fault = (...a) => kernelProc(dax.dax_iomap_pte_fault(...a));
