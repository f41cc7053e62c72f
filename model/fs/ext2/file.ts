import type { FileOperations } from '../file_operations.ts';
import { xip_file_read, xip_file_write } from '../../mm/filemap_xip.ts';
import { generic_file_read, generic_file_write } from '../../mm/filemap.ts';

/** fs/ext2/file.c ext2_xip_file_operations (3.x): no aio, no splice. */
export const ext2_xip_file_operations: FileOperations = { name: 'ext2_xip_file_operations', read: xip_file_read, write: xip_file_write, aio: false };

/** fs/ext2/file.c ext2_file_operations (3.x): the page-cache path, with aio. */
export const ext2_file_operations: FileOperations = { name: 'ext2_file_operations', read: generic_file_read, write: generic_file_write, aio: true };
