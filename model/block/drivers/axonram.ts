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
 * The 2.6.26–3.19 pfn bug (virt_to_phys(kaddr), the address of the variable) is the historical
 * variant 3.19-axonram-pfn; the reference computes the pfn as 4.0 does.
 */
function axon_ram_direct_access(s: State, dev: number, sector: number, bug?: AxonBug): readonly [State, DirectAccess] {
  const d = s.devices[dev];
  if (!d.present) return hit(B_AXON, 'enodev'), [s, { err: -ENODEV }];
  // before 2.6.27: `offset = sector << AXON_RAM_SECTOR_SHIFT`, no bd_part->start_sect
  const off = sector + (bug === 'no-part-start' ? 0 : d.startSect);
  if (off >= d.pages * PAGE_SECTORS) return hit(B_AXON, 'erange'), [s, { err: -ERANGE }];
  hit(B_AXON, 'ok');
  const page = Math.floor(off / PAGE_SECTORS);
  const sub = Math.floor(((off % PAGE_SECTORS) * s.cfg.pageSize) / PAGE_SECTORS);
  // 2.6.26–3.19: `*pfn = virt_to_phys(kaddr) >> PAGE_SHIFT` takes the address of the caller's
  // kaddr variable, a kernel stack slot: a pfn of kernel memory, not of the bank (AXON_STACK_PFN)
  return [s, { kaddr: pfnOf(dev, page) * s.cfg.pageSize + sub, pfn: bug === 'bogus-pfn' ? AXON_STACK_PFN : pfnOf(dev, page) }];
}

/** Defects of the historical variants: before 2.6.27 (no partition start), 2.6.26–3.19 (the bogus pfn). */
type AxonBug = 'no-part-start' | 'bogus-pfn';
/** A page frame of kernel memory (below every device's pfns, not the sparse page): where the stack slot lies. */
export const AXON_STACK_PFN = 2;

export const axonram_fops: BlockDeviceOperations = { driver: 'axonram', cites: CITE, direct_access: (s, dev, sector) => axon_ram_direct_access(s, dev, sector) };
export const axonram_fops_no_part_start: BlockDeviceOperations = { ...axonram_fops, direct_access: (s, dev, sector) => axon_ram_direct_access(s, dev, sector, 'no-part-start') };
export const axonram_fops_bogus_pfn: BlockDeviceOperations = { ...axonram_fops, direct_access: (s, dev, sector) => axon_ram_direct_access(s, dev, sector, 'bogus-pfn') };
