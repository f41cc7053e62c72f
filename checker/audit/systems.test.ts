import { describe, expect, it } from 'vitest';
import { fsAuditSystems } from './systems.ts';
import { installPlugin } from './install.ts';
import { ext2_plugin } from '../../model/fs/ext2/register.ts';
import { aopsByName } from '../../model/fs/aops.ts';
import { fsTypeOf, get_fs_type, sget_type } from '../../model/fs/super_operations.ts';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import type { Plugin } from './plugin-shape.ts';

const ctx = { variant: variantByName('reference')!, pageSize: 4 };

describe('the systems of a file-system audit with several mounts', () => {
  const sys = (name: string) => fsAuditSystems('ext2').find((s) => s.name === name)!;
  it('follow the reference suite: the audited file system twice, and beside the model\'s own ext2', () => {
    expect(fsAuditSystems('ext2').map((s) => s.name).slice(-2)).toEqual(['audit-ext2-twice', 'audit-ext2-beside-reference']);
  });
  it('under the audit, each mount gets its own type: the plug-in where the config says ext2, the built-in ext2 where it says ext2:reference', () => {
    const tablesBefore = ext2_plugin.a_ops.map((a) => aopsByName(a.name));
    const undo = installPlugin({ ...ext2_plugin, name: 'myfs' } as unknown as Plugin);
    try {
      const twice = initialState(sys('audit-ext2-twice').config, ctx);
      expect([fsTypeOf(twice, 0).name, fsTypeOf(twice, 1).name]).toEqual(['myfs', 'myfs']);
      const beside = initialState(sys('audit-ext2-beside-reference').config, ctx);
      // sget: the super block names the type mount named, so later remounts and umounts find it again
      expect(beside.sbs.map((sb) => sb?.type)).toEqual(['ext2', 'ext2:reference']);
      expect(fsTypeOf(beside, 0).name).toBe('myfs');
      expect(fsTypeOf(beside, 1)).toBe(get_fs_type('ext2:reference'));
      expect(fsTypeOf(beside, 1).name).toBe('ext2');
      expect(fsTypeOf(beside, 1)).not.toBe(fsTypeOf(beside, 0));
    } finally { undo(); }
    // undone: ext2 is the built-in again, its tables too (the plug-in's guarded ones had their names)
    expect(get_fs_type('ext2')).toBe(get_fs_type('ext2:reference'));
    expect(ext2_plugin.a_ops.map((a) => aopsByName(a.name))).toEqual(tablesBefore);
    expect(get_fs_type('myfs:reference')).toBeUndefined();
  });
  it('sget_type leaves an unmounted point and an already named super block as they are', () => {
    const s = initialState(sys('audit-ext2-twice').config, ctx);
    expect(sget_type(s, 1, 'ext2')).toBe(s);
    expect(sget_type({ ...s, sbs: [s.sbs[0], null] }, 1, 'x').sbs[1]).toBeNull();
  });
});
