import { tracked } from '../kernel/tables.ts';
import type { State } from '../state.ts';
import { mediumOf, setAt, updateDevice } from '../state.ts';
import { mediumConfig } from '../config.ts';
import { zeros } from '../kernel/physmem.ts';
import { guarded, maybeFrozen } from '../kernel/plugin-guard.ts';
import type { BlockDriver, Disk, DriverRole, DriverStep } from './block_device_operations.ts';
import { tablesChanged } from '../kernel/generation.ts';

/**
 * The block layer's table of drivers (the kernel's register_blkdev + each gendisk's fops): the
 * only way the rest of the model reaches a driver. Configs name a driver; add_disk installs its
 * table in the device (Device.fops), and every call goes through `driverOf`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each driver has its own private-data type
type AnyDriver = BlockDriver<any>;
const drivers = tracked('driver', new Map<string, AnyDriver>());

export function registerDriver<P>(d: BlockDriver<P>): void {
  tablesChanged();
  drivers.set(d.name, d as AnyDriver);
}

export function unregisterDriver(name: string): void {
  tablesChanged();
  drivers.delete(name);
}

export function driverByName(name: string): BlockDriver | undefined {
  return drivers.get(name);
}

export function driverNames(): readonly string[] {
  return [...drivers.keys()];
}

/**
 * `xipcheck audit`: every device a config gives to the reference driver `role` gets the audited
 * driver instead (add_disk installs its table); the config still names the role, so the
 * invariants and the reference hold the plug-in to that driver's specification.
 */
const substitutes = tracked('driver substitute', new Map<string, string>());

export function substituteDriver(configName: string, by: string | null): void {
  tablesChanged();
  if (by === null) substitutes.delete(configName);
  else substitutes.set(configName, by);
}

export function substituteOf(configName: string): string | undefined {
  return substitutes.get(configName);
}

/** The specification a named driver implements; null for a name no driver registered. */
export function driverRole(name: string): DriverRole | null {
  return drivers.get(name)?.role ?? null;
}

/** bdev->bd_disk->fops: the driver the device's gendisk points at. */
export function driverOf(s: State, dev: number): BlockDriver {
  const d = drivers.get(s.devices[dev].fops);
  if (!d) throw new Error(`device ${s.devices[dev].name}: no driver registered as ${s.devices[dev].fops}`);
  return d;
}

/** The driver's view of one of its disks, built from the state (never the state itself). */
export function diskOf(s: State, dev: number): Disk {
  const d = s.devices[dev];
  const siblings: number[] = [];
  // the whole disks behind the same table (fops follows the config's driver one to one)
  for (let k = 0; k < s.devices.length; k++) if (s.devices[k].medium === undefined && s.devices[k].fops === d.fops) siblings.push(k);
  // a partition is seen as the bdev it is (its start, its openers) on its disk's gendisk
  const m = mediumOf(s.devices, dev);
  return maybeFrozen({
    index: m, name: s.devices[m].name, pages: d.pages, pageSize: s.cfg.pageSize, startSect: d.startSect, openers: d.openers,
    present: d.present, readOnly: d.readOnly, backed: d.data.map((p) => p !== null), priv: d.priv, siblings, config: mediumConfig(s.cfg, dev),
  });
}

/**
 * Run one driver operation on device `dev` and apply what it returns to the device. Under the
 * audit guard (model/kernel/plugin-guard.ts) the driver is untrusted: it gets a frozen view, runs
 * twice, and its result is checked for shape before anything is applied.
 */
export function callDriver<R>(s: State, dev: number, op: string, f: (drv: BlockDriver, disk: Disk) => DriverStep<R> | null | undefined, validRet: (r: unknown) => string | null): readonly [State, DriverStep<R> | null] {
  const drv = driverOf(s, dev);
  const step = guarded(drv.name, op, () => f(drv, diskOf(s, dev)), (r) => checkStep(s, dev, r, validRet));
  if (!step) return [s, null];
  return [applyStep(s, dev, step), step];
}

/** What a driver may return, judged before it is applied (a malformed result is the driver's defect). */
function checkStep(s: State, dev: number, r: unknown, validRet: (r: unknown) => string | null): string | null {
  if (r === null || r === undefined) return null;
  if (typeof r !== 'object') return `returned ${typeof r} instead of a DriverStep object`;
  const st = r as Record<string, unknown>;
  const bad = validRet(st.ret);
  if (bad) return bad;
  const pages = s.devices[dev].pages;
  for (const k of ['back', 'zero'] as const) {
    const v = st[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((p) => !Number.isInteger(p) || p < 0 || p >= pages)) return `${k}: ${JSON.stringify(v)} is not a list of pages of its disk (0..${pages - 1})`;
  }
  for (const k of ['freeAll', 'present', 'readOnly'] as const) if (st[k] !== undefined && typeof st[k] !== 'boolean') return `${k}: ${JSON.stringify(st[k])} is not a boolean`;
  if ('priv' in st && !isPlainData(st.priv)) return 'priv: private data must be plain JSON data (numbers, strings, booleans, null, arrays, objects)';
  for (const k of Object.keys(st)) if (!STEP_KEYS.has(k)) return `unknown field ${JSON.stringify(k)} in its result (a driver changes only priv, back, zero, freeAll, present, readOnly)`;
  return null;
}

const STEP_KEYS = new Set(['ret', 'priv', 'back', 'zero', 'freeAll', 'present', 'readOnly']);

export function isPlainData(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isPlainData(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    return (proto === Object.prototype || proto === null) && Object.values(v as object).every((x) => isPlainData(x, depth + 1));
  }
  return false;
}

function applyStep(s: State, dev: number, st: DriverStep<unknown>): State {
  if (st.priv === undefined && !st.back && !st.zero && !st.freeAll && st.present === undefined && st.readOnly === undefined) return s;
  const PS = s.cfg.pageSize;
  const next = updateDevice(s, dev, (d) => {
    let data = d.data;
    for (const p of st.back ?? []) if (data[p] === null) data = setAt(data, p, zeros(PS));
    for (const p of st.zero ?? []) if (data[p] !== null) data = setAt(data, p, zeros(PS));
    if (st.freeAll) data = data.map(() => null);
    return {
      ...d,
      data,
      priv: st.priv === undefined ? d.priv : st.priv,
      present: st.present ?? d.present,
      readOnly: st.readOnly ?? d.readOnly,
      // a disk that stays but lost its memory (brd BLKFLSBUF) lost the file system with it; a
      // removed one (dcssblk remove) has no medium left to hold one
      formatted: st.freeAll && (st.present ?? d.present) ? false : d.formatted,
    };
  });
  if (!st.freeAll || !(st.present ?? s.devices[dev].present)) return next;
  // the memory was the whole disk's: every partition of it lost its file system too
  const m = mediumOf(s.devices, dev);
  return { ...next, devices: next.devices.map((d, k) => (k !== dev && mediumOf(next.devices, k) === m && d.formatted ? { ...d, formatted: false } : d)) };
}
