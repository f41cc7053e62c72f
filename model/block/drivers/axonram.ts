import { ENODEV, ERANGE } from '../../kernel/errno.ts';
import { branches, hit } from '../../kernel/coverage.ts';
import { pfnOf } from '../../kernel/physmem.ts';
import type { State } from '../../state.ts';
import { PAGE_SECTORS } from '../../config.ts';
import type { BlockDeviceOperations, DirectAccess } from '../block_device_operations.ts';

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
function axon_ram_direct_access(s: State, dev: number, sector: number): readonly [State, DirectAccess] {
  const d = s.devices[dev];
  if (!d.present) return hit(B_AXON, 'enodev'), [s, { err: -ENODEV }];
  const off = sector + d.startSect;
  if (off >= d.pages * PAGE_SECTORS) return hit(B_AXON, 'erange'), [s, { err: -ERANGE }];
  hit(B_AXON, 'ok');
  const page = Math.floor(off / PAGE_SECTORS);
  const sub = Math.floor(((off % PAGE_SECTORS) * s.cfg.pageSize) / PAGE_SECTORS);
  return [s, { kaddr: pfnOf(dev, page) * s.cfg.pageSize + sub, pfn: pfnOf(dev, page) }];
}

export const axonram_fops: BlockDeviceOperations = { driver: 'axonram', cites: CITE, direct_access: axon_ram_direct_access };
