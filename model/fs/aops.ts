import type { State } from '../state.ts';
import type { AddressSpaceOperations } from './address_space_operations.ts';
import { ext2_aops_xip } from './ext2/xip.ts';
import { ext2_aops, ext2_aops_xip_both } from './ext2/aops.ts';

/**
 * inode->i_mapping->a_ops. A thread learns an inode's a_ops by name in one step and then calls
 * through this table, so another file system can later register its own operations here
 * without the mm code knowing it (the plug-in contract).
 */
export const aopsRegistry = new Map<string, AddressSpaceOperations>([
  [ext2_aops_xip.name, ext2_aops_xip],
  [ext2_aops.name, ext2_aops],
  [ext2_aops_xip_both.name, ext2_aops_xip_both],
]);

export function aopsOf(s: State, ino: number): AddressSpaceOperations {
  const a = aopsRegistry.get(s.inodes[ino]!.aops);
  if (!a) throw new Error(`inode ${ino}: unknown a_ops ${s.inodes[ino]!.aops}`);
  return a;
}

/** mapping_is_xip(map): `map->a_ops->get_xip_mem != NULL` (fs/ext2/xip.h). */
export function mapping_is_xip(s: State, ino: number): boolean {
  return !!aopsOf(s, ino).get_xip_mem;
}
