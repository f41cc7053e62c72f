import { match } from 'ts-pattern';
import type { Action } from '../model/actions.ts';
import { errnoName } from '../model/kernel/errno.ts';
import type { Observation } from '../model/state.ts';
import { quote } from './quote.ts';

function flags(f: { read?: boolean; write?: boolean; append?: boolean; creat?: boolean; excl?: boolean; trunc?: boolean }): string {
  const acc = f.write ? (f.read === false || (f.read === undefined && f.write) ? 'O_WRONLY' : 'O_RDWR') : 'O_RDONLY';
  const acc2 = f.read && f.write ? 'O_RDWR' : acc;
  return [acc2, f.creat && 'O_CREAT', f.excl && 'O_EXCL', f.trunc && 'O_TRUNC', f.append && 'O_APPEND'].filter(Boolean).join('|');
}

/** A call as a kernel developer would write it: `P0 pwrite(fd=3, buf=0x8, 4, pos=2)`. */
export function describeCall(a: Action): string {
  const p = `P${a.pid}`;
  const body = match(a)
    .with({ op: 'open' }, (c) => `open(${quote(c.name)}, ${flags(c.flags)})`)
    .with({ op: 'close' }, (c) => `close(fd=${c.fd})`)
    .with({ op: 'unlink' }, (c) => `unlink(${quote(c.name)})`)
    .with({ op: 'read' }, { op: 'write' }, (c) => `${c.op}(fd=${c.fd}, buf=${hex(c.buf)}, ${c.len})`)
    .with({ op: 'pread' }, { op: 'pwrite' }, { op: 'aio_read' }, { op: 'aio_write' }, (c) => `${c.op}(fd=${c.fd}, buf=${hex(c.buf)}, ${c.len}, pos=${c.pos})`)
    .with({ op: 'readv' }, { op: 'writev' }, (c) => `${c.op}(fd=${c.fd}, [${c.iov.map((v) => `{${hex(v.buf)}, ${v.len}}`).join(', ')}])`)
    .with({ op: 'sendfile' }, (c) => `sendfile(out=${c.outFd}, in=${c.inFd}, ${c.count})`)
    .with({ op: 'lseek' }, (c) => `lseek(fd=${c.fd}, ${c.pos}, SEEK_${(c.whence ?? 'set').toUpperCase()})`)
    .with({ op: 'fstat' }, (c) => `fstat(fd=${c.fd})`)
    .with({ op: 'statfs' }, () => 'statfs(mnt)')
    .with({ op: 'msync' }, (c) => `msync(${hex(c.addr)}, ${c.pages} pages, ${c.sync ? 'MS_SYNC' : 'MS_ASYNC'})`)
    .with({ op: 'mprotect' }, (c) => `mprotect(${hex(c.addr)}, ${c.pages} pages, ${[c.read && 'PROT_READ', c.write && 'PROT_WRITE'].filter(Boolean).join('|') || 'PROT_NONE'})`)
    .with({ op: 'dcssblk_save_show' }, (c) => `cat dcssblk dev${c.dev}/save`)
    .with({ op: 'ftruncate' }, (c) => `ftruncate(fd=${c.fd}, ${c.len})`)
    .with({ op: 'fsync' }, (c) => `fsync(fd=${c.fd})`)
    .with({ op: 'mmap' }, (c) => `mmap(${c.pages} pages, ${[c.read && 'PROT_READ', c.write && 'PROT_WRITE'].filter(Boolean).join('|') || 'PROT_NONE'}, ${c.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}, fd=${c.fd}, pgoff=${c.pgoff})`)
    .with({ op: 'munmap' }, (c) => `munmap(${hex(c.addr)}, ${c.pages} pages)`)
    .with({ op: 'load' }, (c) => `load ${c.len} byte${c.len > 1 ? 's' : ''} at ${hex(c.addr)}`)
    .with({ op: 'store' }, (c) => `store [${c.bytes.join(' ')}] at ${hex(c.addr)}`)
    .with({ op: 'mount' }, (c) => `mount(dev${c.dev}, "-o ${[c.xip && 'xip', c.ro ? 'ro' : 'rw'].filter(Boolean).join(',')}")`)
    .with({ op: 'remount' }, (c) => `mount -o remount,${[c.xip && 'xip', c.ro ? 'ro' : 'rw'].filter(Boolean).join(',')}`)
    .with({ op: 'umount' }, () => 'umount')
    .with({ op: 'blkdev_open' }, (c) => `open(/dev/dev${c.dev}, ${c.write ? 'O_RDWR' : 'O_RDONLY'})`)
    .with({ op: 'blkdev_close' }, (c) => `close(/dev/dev${c.dev})`)
    .with({ op: 'dcssblk_remove' }, (c) => `echo dev${c.dev} > /sys/devices/dcssblk/remove`)
    .with({ op: 'dcssblk_save' }, (c) => `echo ${c.on ? 1 : 0} > dcssblk dev${c.dev}/save`)
    .with({ op: 'dcssblk_shared' }, (c) => `echo ${c.shared ? 1 : 0} > dcssblk dev${c.dev}/shared`)
    .with({ op: 'brd_blkflsbuf' }, (c) => `ioctl(dev${c.dev}, BLKFLSBUF)`)
    .with({ op: 'brd_discard' }, (c) => `ioctl(dev${c.dev}, BLKDISCARD, page ${c.page})`)
    .with({ op: 'bdev_direct_access' }, (c) => `direct_access(dev${c.dev}, sector ${c.sector})`)
    .exhaustive();
  return `${p} ${body}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** An observation as a reader wants it: `= 4`, `= -EFAULT`, `→ [1 2 0]`, `SIGBUS`. */
export function describeObs(a: Action, o: Observation): string {
  if (Number.isNaN(o.ret)) return '(did not finish)';
  const parts: string[] = [];
  if (a.op === 'load') parts.push(`→ [${(o.data ?? []).join(' ')}]`);
  else if (a.op === 'store') parts.push(o.signal ? `stored ${o.ret}` : 'ok');
  else if (a.op === 'mmap' && o.ret >= 0) parts.push(`= ${hex(o.ret)}`);
  else parts.push(`= ${errnoName(o.ret)}`);
  if (o.signal) parts.push(o.signal);
  if (o.stat) parts.push(`{st_size=${o.stat.size}, st_blocks=${o.stat.blocks}${o.stat.xip ? ', xip' : ''}}`);
  if (o.statfs) parts.push(`{f_blocks=${o.statfs.blocks}, f_bfree=${o.statfs.bfree}${o.statfs.ro ? ', ST_RDONLY' : ''}${o.statfs.xip ? ', xip' : ''}}`);
  if (o.data && a.op !== 'load') parts.push(`[${o.data.join(' ')}]`);
  return parts.join(' ');
}
