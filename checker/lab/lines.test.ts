import { describe, expect, it } from 'vitest';
import { Config } from '../../model/config.ts';
import type { Action } from '../../model/actions.ts';
import { labLines, labUnfit } from './lines.ts';
import { compareCall, diffScenario, labSystem, LAB_MOUNTS, modelFree } from './diff.ts';
import { explain } from './explained.ts';
import type { KernelCall } from './observations.ts';

const cfg = Config.parse({
  pageSize: 4, devices: [{ name: 'seg', driver: 'dcssblk', pages: 6 }],
  fs: { device: 'seg', files: [{ name: 'f', data: [1, 2, 3, 4, 5], holes: [1] }], maxFilePages: 4 }, processes: 2,
});
const one = (a: Action) => ({ threads: [[a]] });

describe('executor lines', () => {
  it('a scenario becomes config, files, one call line per call in step/thread/call order, and end', () => {
    const steps = [
      one({ op: 'open', pid: 0, name: 'f', flags: { read: true, write: true, creat: true } }),
      { threads: [[{ op: 'store', pid: 0, addr: 8, bytes: [7, 255] } as Action], [{ op: 'readv', pid: 1, fd: 0, iov: [{ buf: 0, len: 2 }, { buf: 4, len: 1 }] } as Action]] },
    ];
    const l = labLines('s', cfg, steps, 4);
    expect('lines' in l && l.lines).toEqual([
      'scenario s', 'config ps=4 vpages=12 heap=2 procs=2 maxpages=4 free=4', 'file f 0102030405 1',
      'call 0 0 0 0 open name=f flags=rwc', 'call 1 0 0 0 store addr=8 bytes=07ff', 'call 1 1 0 1 readv fd=0 iov=0:2,4:1', 'end',
    ]);
  });

  it('what a program cannot do on a healthy kernel is refused with the reason', () => {
    expect(labUnfit(cfg, [one({ op: 'dcssblk_remove', pid: 0, dev: 0 } as Action)])).toMatch(/"dcssblk_remove" is not a call/);
    expect(labUnfit({ ...cfg, pageSize: 3 } as Config, [])).toMatch(/does not divide 4096/);
    expect(labUnfit(cfg, [one({ op: 'open', pid: 0, name: 'a b', flags: {} } as Action)])).toMatch(/not a plain name/);
    expect(labUnfit(cfg, [one({ op: 'fsync', pid: 0, fd: 0 })])).toBeNull();
    expect(labUnfit({ ...cfg, fs: { ...cfg.fs, mount: { xip: false, ro: false, blocksize: 8 } } } as Config, [])).toMatch(/block size 8 is not the page size/);
  });

  it('mount, remount and umount act on the run\'s own file system: only their flags travel, another mount point or device is refused', () => {
    const steps = [one({ op: 'umount', pid: 0 } as Action), one({ op: 'mount', pid: 0, dev: 0, xip: true, ro: false }), one({ op: 'remount', pid: 0, mnt: 0, xip: false, ro: true } as Action)];
    const l = labLines('m', cfg, steps, 4);
    expect('lines' in l && l.lines.filter((x) => x.startsWith('call'))).toEqual([
      'call 0 0 0 0 umount', 'call 1 0 0 0 mount xip=1 ro=0', 'call 2 0 0 0 remount xip=0 ro=1',
    ]);
    expect(labUnfit(cfg, [one({ op: 'umount', pid: 0, mnt: 1 } as Action)])).toMatch(/mount point 1, which the lab does not have/);
    expect(labUnfit(cfg, [one({ op: 'statfs', pid: 0, mnt: 2 } as Action)])).toMatch(/statfs of mount point 2/);
    expect(labUnfit(cfg, [one({ op: 'mount', pid: 0, dev: 1, xip: true, ro: false })])).toMatch(/device 1, which is not the file system's/);
  });
});

describe('the model beside the kernel', () => {
  const dax = LAB_MOUNTS.find((m) => m.name === 'ext4-dax')!;
  const kc = (step: number, th: number, op: string, o: Partial<KernelCall>): KernelCall => ({ mount: dax.name, scenario: 's', pid: 0, step, th, k: 0, op, ...o });

  it('each compared field is reported once, with both values; the free blocks of the model are what the ballast leaves', () => {
    const d = compareCall('s', dax, kc(0, 0, 'pread', { ret: 2, data: [1, 9] }), { ret: 2, data: [1, 2] });
    expect(d.map((x) => [x.field, x.kernel, x.model])).toEqual([['data', '[1 9]', '[1 2]']]);
    expect(compareCall('s', dax, kc(0, 0, 'fstat', { ret: 0, stat: { size: 5, blocks: 2 }, dax: true }), { ret: 0, stat: { size: 5, blocks: 1, xip: true } }).map((x) => x.field)).toEqual(['blocks']);
    expect(modelFree(labSystem('s', cfg, true, 'reference'))).toBe(4); // 5 blocks after the super block; f owns 1 (its page 1, the tail, is a hole)
  });

  it('a concurrent step matches whichever outcome of the model the kernel took, and the walk goes on from it', () => {
    const steps = [
      one({ op: 'open', pid: 0, name: 'f', flags: { read: true, write: true } }),
      one({ op: 'mmap', pid: 0, fd: 0, pages: 2, pgoff: 0, shared: true, read: true, write: true }),
      { threads: [[{ op: 'load', pid: 0, addr: 8, len: 1 } as Action], [{ op: 'ftruncate', pid: 0, fd: 0, len: 0 } as Action]] },
    ];
    const sys = labSystem('s', cfg, true, 'reference');
    const base = [kc(0, 0, 'open', { ret: 0 }), kc(1, 0, 'mmap', { ret: 8 })];
    for (const load of [{ data: [1], signal: null }, { data: [], signal: 'SIGBUS' as const }]) {
      const r = diffScenario(sys, 's', steps, dax, [...base, kc(2, 0, 'load', { ret: 0, ...load }), kc(2, 1, 'ftruncate', { ret: 0 })]);
      expect(r.differences).toEqual([]);
      expect(r.choices.get(2)).toBeGreaterThan(1);
    }
    const r = diffScenario(sys, 's', steps, dax, [...base, kc(2, 0, 'load', { ret: 0, data: [7], signal: null }), kc(2, 1, 'ftruncate', { ret: 0 })]);
    expect(r.differences.map((x) => x.field)).toEqual(['data']);
  });

  it('documented rows explain only the direction their reason covers', () => {
    const never = LAB_MOUNTS.find((m) => m.name === 'ext4-never')!;
    const d = (field: 'blocks' | 'bfree', kernel: string, model: string) => ({ scenario: 's', mount: never.name, step: 0, th: 0, k: 0, op: field === 'blocks' ? 'fstat' : 'statfs', field, kernel, model });
    expect(explain(never, d('blocks', '2', '1'), { fills: false })?.id).toBe('pagecache-delayed-allocation');
    expect(explain(never, d('blocks', '1', '2'), { fills: false })).toBeNull();
    expect(explain(never, d('bfree', '3', '4'), { fills: false })?.id).toBe('pagecache-delayed-allocation');
    expect(explain(never, d('bfree', '4', '3'), { fills: false })).toBeNull();
    expect(explain(dax, d('blocks', '2', '1'), { fills: false })).toBeNull();
    const read = { scenario: 's', mount: dax.name, step: 0, th: 0, k: 0, op: 'pread', field: 'ret' as const, kernel: '1', model: '-14', kernelRet: 1, modelRet: -14 };
    expect(explain(dax, read, { fills: false })?.id).toBe('xip-read-discards-faulting-chunk');
    expect(explain(dax, { ...read, kernel: '-14', model: '1', kernelRet: -14, modelRet: 1 }, { fills: false })).toBeNull();
  });

  it('a scenario\'s own mount sets the mode the rows judge from there on; statfs\'s read-only flag is compared', () => {
    const steps = [
      one({ op: 'umount', pid: 0 } as Action), one({ op: 'mount', pid: 0, dev: 0, xip: false, ro: false }),
      one({ op: 'remount', pid: 0, xip: true, ro: true } as Action), one({ op: 'statfs', pid: 0 } as Action),
      one({ op: 'unlink', pid: 0, name: 'f' }),
    ];
    const sys = labSystem('s', cfg, true, 'dax-6.1');
    // ext4 refused the remount (it asks for DAX): the mount stays read-write, the unlink goes
    const kernel = [kc(0, 0, 'umount', { ret: 0 }), kc(1, 0, 'mount', { ret: 0 }), kc(2, 0, 'remount', { ret: -22 }),
      kc(3, 0, 'statfs', { ret: 0, statfs: { blocks: 5, bfree: 4, ro: false } }), kc(4, 0, 'unlink', { ret: 0 })];
    const r = diffScenario(sys, 's', steps, dax, kernel);
    expect(r.differences.map((x) => [x.step, x.field, x.kernel, x.model, x.kernelDax])).toEqual([
      [2, 'ret', '-22', '0', false], [3, 'ro', 'false', 'true', false], [4, 'ret', '0', '-30', false],
    ]);
    expect(r.differences.map((x) => explain(dax, x, r.facts, true)?.id)).toEqual(['ext4-remount-refuses-dax-change', 'ext4-remount-refuses-dax-change', 'ext4-remount-refuses-dax-change']);
    // on xfs, or on a remount that asks for nothing new, the row explains nothing
    const xfs = LAB_MOUNTS.find((m) => m.name === 'xfs-dax')!;
    expect(explain(xfs, r.differences[0], r.facts, true)).toBeNull();
    expect(explain(dax, { ...r.differences[0], kernelDax: true }, r.facts, true)).toBeNull();
    // a page-cache row applies to a DAX run once the scenario mounted it without DAX, not before
    const blocks = { scenario: 's', mount: dax.name, step: 0, th: 0, k: 0, op: 'fstat', field: 'blocks' as const, kernel: '2', model: '1' };
    expect(explain(dax, { ...blocks, kernelDax: false }, { fills: false })?.id).toBe('pagecache-delayed-allocation');
    expect(explain(dax, { ...blocks, kernelDax: true }, { fills: false })).toBeNull();
  });
});
