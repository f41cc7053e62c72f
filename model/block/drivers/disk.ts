import type { BlockDriver } from '../block_device_operations.ts';

/** A plain disk: no direct_access, so `-o xip` is silently dropped (ext2_xip_verify_sb). */
export const disk_driver: BlockDriver<null> = {
  kind: 'driver', name: 'disk', role: 'disk', cites: 'any block driver without ->direct_access',
  add_disk: (c) => ({ priv: null, backed: true, readOnly: c.readOnly }),
  fops: {},
};
