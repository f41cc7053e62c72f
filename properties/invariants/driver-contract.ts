import type { Invariant } from '../invariant.ts';
import { mediumConfig, PAGE_SECTORS, type Config } from '../../model/config.ts';
import { direct_access, hasDirectAccess } from '../../model/block/direct_access.ts';
import { withSink } from '../../model/kernel/coverage.ts';
import { EINVAL, ENODEV, ERANGE, errnoName } from '../../model/kernel/errno.ts';
import { pfnOf, pfnToDevPage } from '../../model/kernel/physmem.ts';
import { mediumOf, type Device, type State } from '../../model/state.ts';
import { allocFailureOf, backedPages, backingBudget, DIRECT_ACCESS_RULES, diskPageOf, ruleOf } from './medium.ts';

/** Sectors probed past the end of each disk: enough to cross the last page and the one after. */
const PAST_END = 2 * PAGE_SECTORS + 1;

type Expect = { readonly err: number } | { readonly page: number; readonly sub: number };

/**
 * What `direct_access(bdev, sector)` must return, from the medium alone: the driver's rule
 * (medium.ts), the geometry of the config, whether the disk is present, and (brd) whether the
 * page is backed and the memory limit reached — then the errno of the disk's kernel: -ENOSPC
 * from 3.16, -ENOMEM before (allocFailureOf).
 */
function expected(s: State, dev: number, sector: number): Expect {
  const d = s.devices[dev];
  const rule = ruleOf(d)!;
  if (!d.present) return { err: -ENODEV };
  if (rule.alignment && sector % PAGE_SECTORS) return { err: -EINVAL };
  const page = diskPageOf(d, sector);
  if (page >= mediumConfig(s.cfg, dev).pages) return { err: -ERANGE };
  if (rule.allocates && d.data[page] === null && backedPages(d) >= backingBudget(s, dev)) return { err: allocFailureOf(d) };
  const off = sector + (rule.addsPartitionStart ? d.startSect : 0);
  return { page, sub: Math.floor(((off % PAGE_SECTORS) * s.cfg.pageSize) / PAGE_SECTORS) };
}

/** Probe one sector; null when the driver keeps its contract. */
function probe(s: State, dev: number, sector: number): string | null {
  const d = s.devices[dev];
  const want = expected(s, dev, sector);
  const [after, got] = direct_access(s, dev, sector);
  const at = `${d.name} sector ${sector}`;
  if ('err' in want) {
    if ('err' in got) return got.err === want.err ? null : `${at}: direct_access returned ${errnoName(got.err)}, the driver's rule says ${errnoName(want.err)}`;
    return `${at}: direct_access returned pfn ${got.pfn}, the driver's rule says ${errnoName(want.err)}${want.err === -ERANGE ? ` (the disk has ${mediumConfig(s.cfg, dev).pages} pages)` : ''}`;
  }
  if ('err' in got) return `${at}: direct_access returned ${errnoName(got.err)} for a page inside the disk${d.data[want.page] === null ? ' (not yet backed, memory limit not reached)' : ''}`;
  const PS = s.cfg.pageSize;
  const where = pfnToDevPage(got.pfn);
  const m = mediumOf(s.devices, dev);
  if (!where || where.dev !== m) return `${at}: direct_access returned pfn ${got.pfn}, which is ${where ? `memory of ${s.devices[where.dev]?.name ?? `device ${where.dev}`}` : 'not device memory'}`;
  if (where.page >= d.pages) return `${at}: direct_access returned pfn ${got.pfn}, page ${where.page} past the end of the disk (${d.pages} pages)`;
  if (got.pfn !== pfnOf(m, want.page)) return `${at}: direct_access returned disk page ${where.page}, the sector lies in page ${want.page}${ruleOf(d)!.addsPartitionStart && d.startSect ? ` (partition start ${d.startSect} added)` : ''}`;
  if (Math.floor(got.kaddr / PS) !== got.pfn || got.kaddr % PS !== want.sub) return `${at}: kaddr ${got.kaddr} is not byte ${want.sub} of pfn ${got.pfn}`;
  return sideEffects(s, after, dev, want.page);
}

/** direct_access changes no memory, except that brd backs the page it was asked for. */
function sideEffects(s: State, after: State, dev: number, page: number): string | null {
  const m = mediumOf(s.devices, dev);
  for (let k = 0; k < s.devices.length; k++) {
    const a = s.devices[k], b = after.devices[k];
    if (a === b) continue;
    // the disk's other entries show the same medium: judged once, on the disk
    if (k !== m && mediumOf(s.devices, k) === m) continue;
    if (a.present !== b.present || a.pages !== b.pages || b.data.length !== a.data.length) return `direct_access on ${s.devices[dev].name} changed the geometry of ${a.name}`;
    for (let p = 0; p < a.data.length; p++) {
      const x = a.data[p], y = b.data[p];
      if (x === y) continue;
      const allocated = k === m && p === page && x === null && ruleOf(a)?.allocates && y !== null && y.every((v) => v === 0);
      if (!allocated && (x === null || y === null || x.join() !== y.join())) return `direct_access on ${s.devices[dev].name} sector ${page * PAGE_SECTORS} changed page ${p} of ${a.name}`;
    }
  }
  return null;
}

/** Every sector of one disk, 0 .. capacity + PAST_END. */
function probeDevice(s: State, dev: number): string | null {
  const d = s.devices[dev];
  if (!ruleOf(d)) return hasDirectAccess(s, dev) ? `${d.name} is a plain disk, yet its driver offers direct_access` : null;
  if (!hasDirectAccess(s, dev)) return `${d.name} (${d.driver}) has no direct_access`;
  const sectors = mediumConfig(s.cfg, dev).pages * PAGE_SECTORS + PAST_END;
  for (let sector = 0; sector < sectors; sector++) {
    const m = probe(s, dev, sector);
    if (m) return m;
  }
  return null;
}

/**
 * direct_access sees only its own disk (bdev->bd_disk), and the model's drivers read nothing
 * else, so the verdict for a disk is a function of the disk's record with the page contents
 * left out (which pages are backed stays in): memoised on that key per config (by value), and on the
 * record itself (records are immutable and shared by the states that did not change them).
 */
const memo = new Map<string, Map<string, string | null>>();
/** Each run parses its config anew: the memo is shared by equal configs. */
const configKey = new WeakMap<Config, string>();

function verdictsFor(cfg: Config): Map<string, string | null> {
  let k = configKey.get(cfg);
  if (k === undefined) configKey.set(cfg, (k = JSON.stringify(cfg)));
  let m = memo.get(k);
  if (!m) {
    if (memo.size > 64) memo.clear();
    memo.set(k, (m = new Map()));
  }
  return m;
}
const byRecord = new WeakMap<Device, string | null>();
/** Per config and disk, the last record judged: most new records differ from it only in page contents. */
const lastJudged = new WeakMap<Config, { rec: Device; verdict: string | null }[]>();

/** Same disk but for the contents of its pages (which pages are backed included). */
function sameShape(a: Device, b: Device): boolean {
  if (a.fops !== b.fops || a.present !== b.present || a.pages !== b.pages || a.startSect !== b.startSect || a.readOnly !== b.readOnly
    || a.openers !== b.openers || a.formatted !== b.formatted || a.data.length !== b.data.length) return false;
  if (a.priv !== b.priv && JSON.stringify(a.priv) !== JSON.stringify(b.priv)) return false;
  for (let p = 0; p < a.data.length; p++) if ((a.data[p] === null) !== (b.data[p] === null)) return false;
  return true;
}

function deviceKey(dev: number, d: Device): string {
  let backed = '';
  for (const p of d.data) backed += p === null ? '0' : '1';
  return `${dev}|${d.fops}|${d.present}|${d.pages}|${d.startSect}|${d.readOnly}|${d.openers}|${d.formatted}|${JSON.stringify(d.priv)}|${backed}`;
}

export const driverContract: Invariant = {
  id: 'driver-contract',
  title: 'direct_access keeps its contract for every sector of every disk',
  why: 'Every XIP path trusts the address direct_access returns: a pfn of the wrong page, of another disk or past the end is mapped into user space and stored through, corrupting memory no file owns; an error where the driver must answer turns a good file into EIO or SIGBUS. ext2 asks only for blocks it owns, so a defect at an edge sector or on a second disk hides from every file operation: the disks are probed directly.',
  source: `xip.txt (3.19): "A block device operation named direct_access is used to retrieve a reference (pointer) to a block on-disk. … A struct block_device reference is used to address the device, and a sector_t argument is used to identify the individual block."; ${Object.values(DIRECT_ACCESS_RULES).map((r) => r.source).join('; ')}`,
  when: 'every-step',
  brokenBy: 'da-range-off-by-one',
  check(s) {
    const cache = verdictsFor(s.cfg);
    let last = lastJudged.get(s.cfg);
    if (!last) lastJudged.set(s.cfg, (last = []));
    for (let dev = 0; dev < s.devices.length; dev++) {
      const d = s.devices[dev];
      let verdict = byRecord.get(d);
      if (verdict === undefined) {
        const prev = last[dev];
        if (prev && sameShape(prev.rec, d)) verdict = prev.verdict;
        else {
          const key = deviceKey(dev, d);
          verdict = cache.get(key);
          if (verdict === undefined) {
            // the probe is the invariant's, not the model's: it must not count as kernel branch coverage
            verdict = withSink(undefined, () => probeDevice(s, dev));
            if (cache.size > 50_000) cache.clear();
            cache.set(key, verdict);
          }
        }
        byRecord.set(d, verdict);
        last[dev] = { rec: d, verdict };
      }
      if (verdict) return verdict;
    }
    return null;
  },
};
