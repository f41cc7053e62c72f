import type { ConfigInput } from '../../model/config.ts';
import type { DriverRole } from '../../model/block/block_device_operations.ts';
import { referenceTypeName } from '../../model/fs/super_operations.ts';
import { REFERENCE_SUITE, someFile, type SuiteSystem } from '../../properties/suites/reference.ts';

/**
 * The systems an audited driver of `role` runs on: every reference system with a device of that
 * role, then what the reference suite leaves out for a single driver — two of its disks with the
 * file system on the second (an answer for the wrong disk shows), and, where the role has
 * partitions, the file system on a partition, and two file systems on two partitions of one
 * medium. The user's own configs come last.
 */
export function auditSystems(role: DriverRole, own: readonly { name: string; config: ConfigInput }[] = []): SuiteSystem[] {
  const suite = REFERENCE_SUITE.filter((s) => s.config.devices.some((d) => d.driver === role));
  const extra: SuiteSystem[] = [{
    name: `audit-${role}-two-disks`,
    description: `two ${role} disks, ext2 -o xip on the second, the first raw`,
    config: {
      pageSize: 4,
      devices: [{ name: `${role}0`, driver: role, pages: 4 }, { name: `${role}1`, driver: role, pages: 8 }],
      fs: { device: `${role}1`, mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 3, maxLen: 10,
  }];
  // before 4.0 only axonram adds the partition start in direct_access: an XIP mount of a brd
  // partition maps the wrong pages in the reference kernel itself (a remount -o xip reaches it),
  // and dcssblk disks have no partitions
  if (role === 'axonram' || role === 'disk') {
    const xip = role === 'axonram';
    extra.push({
      name: `audit-${role}-partition`,
      description: `ext2${xip ? ' -o xip' : ''} on a partition starting at page 2 of a ${role} disk`,
      config: {
        pageSize: 4,
        devices: [{ name: `${role}p`, driver: role, pages: 10, startSect: 16 }],
        fs: { device: `${role}p`, mount: { xip, ro: false }, files: [someFile], maxFilePages: 5 },
        processes: 2, vpages: 12, heapPages: 2,
      },
      files: 3, maxLen: 10,
    }, {
      // one medium, two block devices on it besides the whole disk: an answer for the wrong
      // partition reads or maps the other partition's pages
      name: `audit-${role}-two-partitions`,
      description: `two partitions of one ${role} disk (pages 1-4 and 5-10), an ext2${xip ? ' -o xip' : ''} on each (at / and mnt1), the whole disk raw`,
      config: {
        pageSize: 4,
        devices: [
          { name: `${role}d`, driver: role, pages: 11 },
          { name: `${role}d1`, driver: role, partitionOf: `${role}d`, startSect: 8, pages: 4 },
          { name: `${role}d2`, driver: role, partitionOf: `${role}d`, startSect: 40, pages: 6 },
        ],
        fs: [
          { device: `${role}d1`, mount: { xip, ro: false }, files: [someFile], maxFilePages: 3 },
          { device: `${role}d2`, at: 'mnt1', mount: { xip, ro: false }, files: [someFile], maxFilePages: 4 },
        ],
        processes: 2, vpages: 12, heapPages: 2,
      },
      files: 6, maxLen: 10,
    });
  }
  return [...suite, ...extra, ...ownSystems(own)];
}

/**
 * The systems an audited file system of `role` runs on: every reference system (the file system
 * in place of ext2 on each), then two with several mounts — the audited file system twice, on an
 * xip dcssblk segment at the root and on brd at mnt1 (each mount must keep to its own super
 * block, bitmap, inodes and device); and the audited one at the root beside the model's own ext2
 * at mnt1 (`<role>:reference`, which no audit substitutes), where a defect shows against a
 * neighbour that is known good. The user's own configs come last.
 */
export function fsAuditSystems(role: string, own: readonly { name: string; config: ConfigInput }[] = []): SuiteSystem[] {
  const two = (second: { type?: string }): ConfigInput => ({
    pageSize: 4,
    devices: [{ name: 'dcssblk0', driver: 'dcssblk', pages: 7 }, { name: 'ram0', driver: 'brd', pages: 7, maxBackingPages: 6 }],
    fs: [
      { device: 'dcssblk0', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
      { ...second, device: 'ram0', at: 'mnt1', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
    ],
    processes: 2, vpages: 12, heapPages: 2,
  });
  const extra: SuiteSystem[] = [
    { name: `audit-${role}-twice`, description: `the audited ${role} mounted twice: -o xip on a dcssblk segment at / and on brd at mnt1`, config: two({}), files: 6, maxLen: 10 },
    { name: `audit-${role}-beside-reference`, description: `the audited ${role} -o xip on a dcssblk segment at /, the model's own ${role} -o xip on brd at mnt1`, config: two({ type: referenceTypeName(role) }), files: 6, maxLen: 10 },
  ];
  return [...REFERENCE_SUITE, ...extra, ...ownSystems(own)];
}

/** The auditor's own configs (--system), with the reference suite's generator bounds. */
export function ownSystems(own: readonly { name: string; config: ConfigInput }[] = []): SuiteSystem[] {
  return own.map((o) => ({ name: o.name, description: 'the auditor\'s own system (--system)', config: o.config, files: 3, maxLen: 10 }));
}
