/**
 * Names of the sleeping locks the model takes, one function per kernel lock, so a trace and a
 * deadlock report name them as the kernel does.
 */
export const XIP_SPARSE_MUTEX = 'xip_sparse_mutex';
/** inode->i_mutex (fs.h, 2.6.16–4.6). */
export const i_mutex = (ino: number): string => `i_mutex:${ino}`;
/** mapping->i_mmap_rwsem (3.19; i_mmap_mutex 3.0–3.18, i_mmap_lock spinlock before). */
export const i_mmap = (ino: number): string => `i_mmap:${ino}`;
/** mm->mmap_sem. */
export const mmap_sem = (pid: number): string => `mmap_sem:${pid}`;
/** mapping->invalidate_lock (5.15+): a DAX fault holds it shared, truncate exclusive (6.1). */
export const invalidate_lock = (ino: number): string => `invalidate_lock:${ino}`;
/** The locked DAX entry of one file page in mapping->i_pages (fs/dax.c grab_mapping_entry, 6.1). */
export const dax_entry = (ino: number, pgoff: number): string => `dax_entry:${ino}:${pgoff}`;
