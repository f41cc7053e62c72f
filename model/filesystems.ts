import { init_ext2_fs } from './fs/ext2/register.ts';

/**
 * The file systems built into the modelled kernel (CONFIG_EXT2_FS=y, CONFIG_EXT2_FS_XIP=y):
 * their module_init runs once, when the model is wired together (model/init.ts imports this
 * module). Nothing under model/mm, model/vfs or model/block imports a file system: they find
 * its tables through the registries, by the names the state holds.
 */
init_ext2_fs();
