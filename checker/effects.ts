import { fsConfigs } from '../model/config.ts';
import type { Pte, State } from '../model/state.ts';
import { blocksOf, layoutOf, usedOf } from '../properties/invariants/layout.ts';

/**
 * What one atomic step did to the state a reviewer of a race looks at: ptes installed and
 * zapped, blocks allocated and freed, a file's block map, i_size, the sparse page's users and
 * sequence count, device pages written, page-cache pages. Derived by comparing the states
 * around the step, so it shows what happened, not what the step's code says it does. Computed
 * only when a story is rendered (replay with detail), never in a search.
 */
export interface Effect {
  readonly kind: 'pte' | 'block' | 'map' | 'size' | 'sparse' | 'media' | 'cache';
  readonly text: string;
}

function pteText(p: Pte | null | undefined): string {
  if (!p) return 'none';
  switch (p.kind) {
    case 'pfn': return `pfn ${p.pfn} ${p.write ? 'rw' : 'ro'}`;
    case 'sparse': return 'sparse page ro';
    case 'anon': return `anon page ${p.write ? 'rw' : 'ro'}${p.cow ? ' (COW copy)' : ''}`;
    case 'pagecache': return `page cache ino ${p.ino} pg ${p.pgoff} ${p.write ? 'rw' : 'ro'}`;
  }
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

function layoutSafe<T>(f: () => T): T | null {
  try { return f(); } catch { return null; }
}

export function stepEffects(pre: State, post: State): Effect[] {
  if (pre === post) return [];
  const out: Effect[] = [];
  post.procs.forEach((p, pid) => {
    const q = pre.procs[pid];
    const n = Math.max(p.ptes.length, q?.ptes.length ?? 0);
    for (let v = 0; v < n; v++) {
      const a = q?.ptes[v] ?? null, b = p.ptes[v] ?? null;
      if (a === b || same(a, b)) continue;
      out.push({ kind: 'pte', text: b ? `P${pid} pte ${v} ← ${pteText(b)}${a ? ` (was ${pteText(a)})` : ''}` : `P${pid} pte ${v} zapped (was ${pteText(a)})` });
    }
  });
  fsConfigs(post.cfg).forEach((_, k) => {
    if (!layoutOf(post, k)) return;
    const a = layoutSafe(() => usedOf(pre, k)), b = layoutSafe(() => usedOf(post, k));
    if (a === b || !a || !b) return;
    b.forEach((u, blk) => {
      if (u && !a[blk]) out.push({ kind: 'block', text: `fs${k} block ${blk} allocated` });
      if (!u && a[blk]) out.push({ kind: 'block', text: `fs${k} block ${blk} freed` });
    });
  });
  post.inodes.forEach((i, ino) => {
    const j = pre.inodes[ino];
    if (!i || i === j) return;
    if (j && j.size !== i.size) out.push({ kind: 'size', text: `ino ${ino} i_size ${j.size} → ${i.size}` });
    if (!j) out.push({ kind: 'size', text: `ino ${ino} created (i_size ${i.size})` });
    if (layoutOf(post, i.fs)) {
      const a = layoutSafe(() => blocksOf(pre, ino)) ?? [], b = layoutSafe(() => blocksOf(post, ino)) ?? [];
      for (let pg = 0; pg < Math.max(a.length, b.length); pg++) {
        const x = a[pg] ?? 0, y = b[pg] ?? 0;
        if (x !== y) out.push({ kind: 'map', text: `ino ${ino} page ${pg} → ${y ? `block ${y}` : 'hole'}${x ? ` (was block ${x})` : ''}` });
      }
    }
    const n = Math.max(i.pageCache.length, j?.pageCache.length ?? 0);
    for (let pg = 0; pg < n; pg++) {
      const a = j?.pageCache[pg] ?? null, b = i.pageCache[pg] ?? null;
      if (a === b) continue;
      if (!b) out.push({ kind: 'cache', text: `ino ${ino} page-cache page ${pg} dropped` });
      else if (!a) out.push({ kind: 'cache', text: `ino ${ino} page-cache page ${pg} added${b.dirty ? ', dirty' : ''}` });
      else if (a.dirty !== b.dirty) out.push({ kind: 'cache', text: `ino ${ino} page-cache page ${pg} ${b.dirty ? 'dirtied' : 'cleaned'}` });
      else if (!same(a.data, b.data)) out.push({ kind: 'cache', text: `ino ${ino} page-cache page ${pg} written` });
    }
  });
  pre.inodes.forEach((j, ino) => { if (j && !post.inodes[ino]) out.push({ kind: 'size', text: `ino ${ino} evicted` }); });
  const sa = pre.sparse, sb = post.sparse;
  if (sa !== sb) {
    if (sa.allocated !== sb.allocated) out.push({ kind: 'sparse', text: sb.allocated ? 'sparse page allocated' : 'sparse page freed' });
    if (sa.refs !== sb.refs) out.push({ kind: 'sparse', text: `sparse page users ${sa.refs} → ${sb.refs}` });
  }
  if (pre.sparseSeq !== post.sparseSeq) out.push({ kind: 'sparse', text: `xip_sparse_seq ${pre.sparseSeq} → ${post.sparseSeq}` });
  post.devices.forEach((d, k) => {
    const e = pre.devices[k];
    if (!e || d.data === e.data) return;
    d.data.forEach((pg, p) => { if (pg !== e.data[p] && !same(pg, e.data[p])) out.push({ kind: 'media', text: `${d.name} page ${p} written` }); });
  });
  return out;
}

/**
 * The state a reader needs beside a failed invariant: every process's ptes, every file's size
 * and block map, the sparse page's users and sequence count. One line each.
 */
export function snapshot(s: State): string[] {
  const out: string[] = [];
  s.procs.forEach((p, pid) => {
    const ptes = p.ptes.flatMap((x, v) => (x ? [`${v}: ${pteText(x)}`] : []));
    out.push(`P${pid} ptes: ${ptes.length ? ptes.join(', ') : 'none'}`);
  });
  s.inodes.forEach((i, ino) => {
    if (!i || ino === 0) return;
    const blocks = layoutOf(s, i.fs) ? layoutSafe(() => blocksOf(s, ino)) : null;
    out.push(`ino ${ino} (fs${i.fs}): i_size ${i.size}, nlink ${i.nlink}${blocks ? `, blocks [${blocks.join(' ')}]` : ''}`);
  });
  out.push(`sparse page: ${s.sparse.allocated ? `allocated, ${s.sparse.refs} user${s.sparse.refs === 1 ? '' : 's'}` : 'not allocated'}; xip_sparse_seq ${s.sparseSeq}`);
  return out;
}
