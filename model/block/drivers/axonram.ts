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
 * The pfn bug of 2.6.26 to at least 3.18 (virt_to_phys(kaddr), the address of the variable) is
 * the historical variant 3.18-axonram-pfn; the reference computes the pfn as the 3.19.8 tree does.
 */
function axonram(name: string, bug?: AxonBug): BlockDriver<null> {
  return {
    kind: 'driver', name, role: 'axonram', cites: CITE, coverage: [B_AXON],
    add_disk: (c) => ({ priv: null, backed: true, readOnly: c.readOnly }),
    fops: {
      direct_access: (_ctx, disk, sector) => {
        if (!disk.present) return hit(B_AXON, 'enodev'), { ret: { err: -ENODEV } };
        // before 2.6.27: `offset = sector << AXON_RAM_SECTOR_SHIFT`, no bd_part->start_sect
        const off = sector + (bug === 'no-part-start' ? 0 : disk.startSect);
        if (off >= disk.pages * PAGE_SECTORS) return hit(B_AXON, 'erange'), { ret: { err: -ERANGE } };
        hit(B_AXON, 'ok');
        const page = Math.floor(off / PAGE_SECTORS);
        const sub = Math.floor(((off % PAGE_SECTORS) * disk.pageSize) / PAGE_SECTORS);
        // 2.6.26–3.18: `*pfn = virt_to_phys(kaddr) >> PAGE_SHIFT` takes the address of the
        // caller's kaddr variable, a kernel stack slot: a pfn of kernel memory (AXON_STACK_PFN)
        return { ret: { kaddr: pfnOf(disk.index, page) * disk.pageSize + sub, pfn: bug === 'bogus-pfn' ? AXON_STACK_PFN : pfnOf(disk.index, page) } };
      },
    },
  };
}

/** Defects of the historical variants: before 2.6.27 (no partition start), 2.6.26–3.18 (the bogus pfn). */
type AxonBug = 'no-part-start' | 'bogus-pfn';
/** A page frame of kernel memory (below every device's pfns, not the sparse page): where the stack slot lies. */
export const AXON_STACK_PFN = 2;

export const axonram_driver = axonram('axonram');
/** The tables of historical kernels (docs/history.md). */
export const axonram_driver_no_part_start = axonram('axonram:no-part-start', 'no-part-start');
export const axonram_driver_bogus_pfn = axonram('axonram:bogus-pfn', 'bogus-pfn');
