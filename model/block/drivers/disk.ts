import type { BlockDeviceOperations } from '../block_device_operations.ts';

/** A plain disk: no direct_access, so `-o xip` is silently dropped (ext2_xip_verify_sb). */
export const disk_fops: BlockDeviceOperations = { driver: 'disk', cites: 'any block driver without ->direct_access' };
