import type { State } from '../state.ts';
import type { AddressSpaceOperations } from './address_space_operations.ts';
import { tableRegistry, tracked } from '../kernel/tables.ts';

/**
 * inode->i_mapping->a_ops. A thread learns an inode's a_ops by name in one step and then calls
 * through this table; a file system registers its tables here (register_filesystem does it for
 * the tables its file_system_type lists), so the mm code never knows which file system it
 * serves (the plug-in contract).
 */
const aops = tableRegistry<AddressSpaceOperations>('a_ops', ': no registered file system provides it');
tracked('a_ops', aops.map);
export const aopsRegistry = aops.map;
export const register_aops = aops.register;
export const unregister_aops = aops.forget;
export const aopsByName = aops.byName;

export function aopsOf(s: State, ino: number): AddressSpaceOperations {
  return aopsByName(s.inodes[ino]!.aops);
}

/** mapping_is_xip(map): `map->a_ops->get_xip_mem != NULL` (fs/ext2/xip.h, 2.6.26–3.19). */
export function mapping_is_xip(s: State, ino: number): boolean {
  return !!aopsOf(s, ino).get_xip_mem;
}
