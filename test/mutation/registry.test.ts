import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../../model/init.ts';
import { variantByName } from '../../model/variants.ts';
import { ext2_fs_type } from '../../model/fs/ext2/register.ts';
import {
  fsTypeOf, get_fs_type, referenceTypeName, register_filesystem, registeredFileSystems, sget_type, substituteFileSystem, unregister_filesystem,
} from '../../model/fs/super_operations.ts';

/**
 * The file-system registry (model/fs/super_operations.ts: register_filesystem, get_fs_type,
 * sget's s_type) that `xipcheck audit --kind fs` relies on to put a plug-in in place of ext2
 * while `ext2:reference` still names the model's own. The audit tests reach it through the
 * compiled CLI only, so `npm run mutation` saw 25 of its mutants live (docs/mutation.md).
 */
const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const ext2 = get_fs_type('ext2')!;
const other = { ...ext2_fs_type, name: 'other' };

afterEach(() => {
  substituteFileSystem('ext2', null);
  register_filesystem(ext2, { replace: true });
  unregister_filesystem('other');
});

describe('register_filesystem and get_fs_type', () => {
  it('a name registers once; again only to replace it; the same object again is no error', () => {
    register_filesystem(other);
    expect(() => register_filesystem(other)).not.toThrow();
    expect(() => register_filesystem({ ...other })).toThrow('file system "other" registered twice');
    const replaced = { ...other };
    register_filesystem(replaced, { replace: true });
    expect(get_fs_type('other')).toBe(replaced);
    expect(registeredFileSystems()).toContain('other');
    unregister_filesystem('other');
    expect(get_fs_type('other')).toBeUndefined();
    expect(registeredFileSystems()).not.toContain('other');
    // nor a reference: the next 'other' registered is its own (a process auditing one plug-in after another)
    expect(get_fs_type('other:reference')).toBeUndefined();
    register_filesystem(replaced, { replace: true });
    expect(get_fs_type('other:reference')).toBe(replaced);
  });
  it('<name>:reference is the first registration of that name, whatever replaced it or stands in for it', () => {
    expect(referenceTypeName('ext2')).toBe('ext2:reference');
    register_filesystem(other);
    const evil = { ...ext2_fs_type, name: 'ext2' };
    register_filesystem(evil, { replace: true });
    expect(get_fs_type('ext2')).toBe(evil);
    expect(get_fs_type('ext2:reference')).toBe(ext2);
    substituteFileSystem('ext2', 'other');
    expect(get_fs_type('ext2')).toBe(other);
    expect(get_fs_type('ext2:reference')).toBe(ext2);
    expect(get_fs_type('other:reference')).toBe(other); // its own first registration
    expect(get_fs_type(':reference')).toBeUndefined();
    expect(get_fs_type('reference')).toBeUndefined();
    substituteFileSystem('ext2', null);
    expect(get_fs_type('ext2')).toBe(evil);
  });
});

describe('sget: the super block names the type mount(2) named', () => {
  const config = { pageSize: 4, devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }, { name: 'e', driver: 'dcssblk' as const, pages: 6 }], fs: [{ device: 'd', files: [] }, { device: 'e', files: [], mounted: false }] };
  it('stamps a mounted super block, leaves an unmounted slot and a same-type one as they are', () => {
    const s = initialState(config, ctx);
    expect(s.sbs[0]!.type).toBe('ext2');
    const t = sget_type(s, 0, 'other');
    expect(t.sbs[0]!.type).toBe('other');
    expect(s.sbs[0]!.type).toBe('ext2'); // the state it was given is not changed
    expect(t.sbs[0]!.dev).toBe(s.sbs[0]!.dev);
    expect(sget_type(s, 0, 'ext2')).toBe(s);
    expect(sget_type(s, 1, 'other')).toBe(s);
  });
  it('a file system\'s type: its super block\'s, else its config\'s; an unregistered one is an internal error', () => {
    const s = initialState(config, ctx);
    register_filesystem(other);
    expect(fsTypeOf(sget_type(s, 0, 'other'), 0)).toBe(other);
    expect(fsTypeOf(s, 1)).toBe(ext2);
    expect(() => fsTypeOf(sget_type(s, 0, 'nowhere'), 0)).toThrow('no registered file system "nowhere"');
  });
});
