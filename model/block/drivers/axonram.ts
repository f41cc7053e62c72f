import { ENODEV, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDriver } from '../block_device_operations.ts';

const CITE = 'arch/powerpc/sysdev/axonram.c axon_ram_direct_access (3.x)';
export const B_AXON = branches('axon_ram_direct_access', CITE, ['enodev', 'erange', 'ok'] as const, {
  enodev: 'axonram banks are never removed while the system runs',
});

/**
 * axon_ram_direct_access: the only driver that adds the partition start; checks only
 * offset < size (no alignment check, so an unaligned sector yields a mid-page address).
 * Memory without struct page: only pfn mappings (vm_insert_mixed special ptes) can reach it.
 * The 3.x pfn bug (virt_to_phys(&kaddr)) is not modelled: pfn is computed correctly.
 */
export const axonram_driver: BlockDriver<null> = {
  kind: 'driver', name: 'axonram', role: 'axonram', cites: CITE,
  add_disk: (c) => ({ priv: null, backed: true, readOnly: c.readOnly }),
  fops: {
    direct_access: (_ctx, disk, sector) => {
      if (!disk.present) return hit(B_AXON, 'enodev'), { ret: { err: -ENODEV } };
      const off = sector + disk.startSect;
      if (off >= disk.pages * PAGE_SECTORS) return hit(B_AXON, 'erange'), { ret: { err: -ERANGE } };
      hit(B_AXON, 'ok');
      const page = Math.floor(off / PAGE_SECTORS);
      const sub = Math.floor(((off % PAGE_SECTORS) * disk.pageSize) / PAGE_SECTORS);
      return { ret: { kaddr: pfnOf(disk.index, page) * disk.pageSize + sub, pfn: pfnOf(disk.index, page) } };
    },
  },
};
