import { describe, expect, it } from 'vitest';
import { ConfigError, initialState } from '../init.ts';
import { variantByName } from '../variants.ts';
import { fsTypeOf, get_fs_type, register_filesystem, registeredFileSystems } from './super_operations.ts';

const ctx = { variant: variantByName('reference')!, pageSize: 4 };
const config = (type?: string) => ({ devices: [{ name: 'd', driver: 'dcssblk' as const, pages: 6 }], fs: { ...(type ? { type } : {}), device: 'd', files: [{ name: 'f', data: [1] }] } });

describe('file system types', () => {
  it('ext2 is registered by the wiring, and the mounted super block names it', () => {
    expect(registeredFileSystems()).toEqual(['ext2']);
    const s = initialState(config(), ctx);
    expect(s.sbs[0]?.type).toBe('ext2');
    expect(fsTypeOf(s, 0)).toBe(get_fs_type('ext2'));
    expect(s.inodes[1]).toMatchObject({ aops: 'ext2_aops_xip', fops: 'ext2_xip_file_operations' });
  });
  it('a config naming a file system nobody registered is refused with one line', () => {
    expect(() => initialState(config('xfs'), ctx)).toThrow(new ConfigError('fs.type "xfs" names no registered file system (known: ext2)'));
  });
  it('a second, different type under a registered name is refused', () => {
    expect(() => register_filesystem({ ...get_fs_type('ext2')!, a_ops: [] })).toThrow(/registered twice/);
  });
});
