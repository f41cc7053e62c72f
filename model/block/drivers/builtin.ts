import { registerDriver } from '../driver.ts';
import { dcssblk_driver, dcssblk_driver_first_segment, dcssblk_driver_range_off_by_one } from './dcssblk.ts';
import { brd_driver, brd_driver_enomem, brd_driver_highmem } from './brd.ts';
import { axonram_driver, axonram_driver_bogus_pfn, axonram_driver_no_part_start } from './axonram.ts';
import { disk_driver } from './disk.ts';

/** The drivers built into the modelled kernel; an auditor's driver registers beside them. */
export const BUILTIN_DRIVERS = [dcssblk_driver, brd_driver, axonram_driver, disk_driver] as const;

registerDriver(dcssblk_driver);
registerDriver(brd_driver);
registerDriver(axonram_driver);
registerDriver(disk_driver);
// defective tables of the broken variants (the driver-contract invariant must catch them)
registerDriver(dcssblk_driver_range_off_by_one);
registerDriver(dcssblk_driver_first_segment);
// the tables of historical kernels (docs/history.md)
registerDriver(axonram_driver_no_part_start);
registerDriver(axonram_driver_bogus_pfn);
registerDriver(brd_driver_highmem);
registerDriver(brd_driver_enomem);

/** The historical drivers of the bug library (docs/history.md), by the name of their table: each can be audited as a plug-in. */
export const HISTORICAL_DRIVERS = {
  'axonram:no-part-start': axonram_driver_no_part_start,
  'axonram:bogus-pfn': axonram_driver_bogus_pfn,
  'brd:highmem': brd_driver_highmem,
} as const;
