import type { ConfigInput } from '../../model/config.ts';

/**
 * The reference systems `xipcheck check` runs (TLA+ MC*.cfg style: bounds live here, never in
 * the model). Page size 4 so that partial pages and tails are real; a few pages per device so
 * that a full bitmap, brd's exhausted memory and block reuse happen within a short run.
 */
export interface SuiteSystem {
  readonly name: string;
  readonly description: string;
  readonly config: ConfigInput;
  /** Generator bounds. */
  readonly files: number;
  readonly maxLen: number;
}

/** The file every reference system starts with: a hole between two data pages and a partial tail. */
export const someFile = { name: 'f0', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1], holes: [1] };

export const REFERENCE_SUITE: readonly SuiteSystem[] = [
  {
    name: 'ext2-xip-dcssblk',
    description: 'ext2 -o xip on a writable dcssblk segment, beside a shared read-only (SR) segment and a plain disk',
    config: {
      pageSize: 4,
      devices: [
        { name: 'dcssblk0', driver: 'dcssblk', pages: 9, segmentType: 'SW' },
        { name: 'dcssblk1', driver: 'dcssblk', pages: 4, segmentType: 'SR', shared: true },
        { name: 'dcssblk2', driver: 'dcssblk', pages: 2, segmentType: 'SC', shared: true },
        { name: 'sda', driver: 'disk', pages: 4 },
      ],
      fs: { device: 'dcssblk0', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 3, maxLen: 10,
  },
  {
    name: 'ext2-xip-brd',
    description: 'ext2 -o xip on brd (pages allocated on first direct_access, -ENOSPC past 7), beside an axonram bank',
    config: {
      pageSize: 4,
      devices: [
        { name: 'ram0', driver: 'brd', pages: 9, maxBackingPages: 7 },
        { name: 'axon0', driver: 'axonram', pages: 4, startSect: 8 },
      ],
      fs: { device: 'ram0', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 3, maxLen: 10,
  },
  {
    name: 'ext2-xip-ro',
    description: 'ext2 -o xip,ro on a shared read-only (SR) dcssblk segment: holes map the sparse page, private writes COW',
    config: {
      pageSize: 4,
      devices: [{ name: 'dcssblk0', driver: 'dcssblk', pages: 6, segmentType: 'SR', shared: true }],
      fs: { device: 'dcssblk0', mount: { xip: true, ro: true }, files: [someFile, { name: 'f1', data: [0, 0, 0, 0, 0, 0, 0, 0, 7], holes: [0, 1] }], maxFilePages: 5 },
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 3, maxLen: 10,
  },
  {
    name: 'ext2-pagecache',
    description: 'ext2 without xip (the option is dropped on a disk without direct_access): the page-cache a_ops, same invariants',
    config: {
      pageSize: 4,
      // ram2 is a brd device set read-only (BLKROSET): discard is refused with -EACCES
      devices: [{ name: 'sda', driver: 'disk', pages: 12 }, { name: 'ram1', driver: 'brd', pages: 4 }, { name: 'ram2', driver: 'brd', pages: 2, readOnly: true }],
      fs: { device: 'sda', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 3, maxLen: 10,
  },
  {
    name: 'ext2-bs8-brd',
    description: 'an ext2 made with 8-byte blocks on brd (page size 4), not mounted at start: mount -o xip must fail with -EINVAL',
    config: {
      pageSize: 4,
      devices: [{ name: 'ram0', driver: 'brd', pages: 8 }],
      fs: { device: 'ram0', mounted: false, mount: { xip: true, ro: false, blocksize: 8 }, files: [], maxFilePages: 4 },
      processes: 1, vpages: 10, heapPages: 2,
    },
    files: 2, maxLen: 8,
  },
  {
    name: 'ext2-two-mounts',
    description: 'two ext2 at once: -o xip on a dcssblk segment at the root, and on a plain disk at mnt1 (xip dropped: the page cache), each with its own bitmap, s_maxbytes and mount state',
    config: {
      pageSize: 4,
      devices: [{ name: 'dcssblk0', driver: 'dcssblk', pages: 7, segmentType: 'SW' }, { name: 'sda', driver: 'disk', pages: 6 }],
      fs: [
        { device: 'dcssblk0', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 5 },
        { device: 'sda', at: 'mnt1', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 4 },
      ],
      processes: 2, vpages: 12, heapPages: 2,
    },
    // generated file i is f<i div 2> of file system i mod 2: f0, mnt1/f0, f1, mnt1/f1, f2, mnt1/f2
    files: 6, maxLen: 10,
  },
  {
    name: 'ext2-two-partitions',
    description: 'two ext2 -o xip on two partitions of one axonram disk (pages 1-5 and 6-11, at / and mnt1): one medium, two file systems; axon_ram_direct_access adds each partition\'s start',
    config: {
      pageSize: 4,
      devices: [
        { name: 'axon0', driver: 'axonram', pages: 12 },
        { name: 'axon0p1', driver: 'axonram', partitionOf: 'axon0', startSect: 8, pages: 5 },
        { name: 'axon0p2', driver: 'axonram', partitionOf: 'axon0', startSect: 48, pages: 6 },
      ],
      fs: [
        { device: 'axon0p1', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 3 },
        { device: 'axon0p2', at: 'mnt1', mount: { xip: true, ro: false }, files: [someFile], maxFilePages: 4 },
      ],
      processes: 2, vpages: 12, heapPages: 2,
    },
    files: 6, maxLen: 10,
  },
];
