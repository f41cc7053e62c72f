/*
 * xipcheck lab executor: runs the model's scenarios on a real kernel, in the guest.
 *
 *   executor ROOT SCENARIO-FILE [SLACK]
 *
 * The scenario file is the host's translation of trace files (checker/lab/lines.ts): one call
 * per line, in the model's units. The executor scales them to the real page size: a model page
 * of `ps` bytes is one 4096-byte page, and each model byte is SCALE = 4096/ps real bytes, all
 * equal. Offsets, lengths and addresses are multiplied by SCALE, so a range that is contiguous
 * in the model is contiguous here and crosses the same page boundaries. Data read back is
 * folded to one byte per SCALE bytes; a group that is not uniform is reported as -1 (the
 * host's diff flags it: nothing in a scenario can write part of a group).
 *
 * Each model process (pid) is a child process with its own descriptor table and address space;
 * each child reserves the model's whole virtual range (vpages pages, PROT_NONE) and places the
 * heap and every mmap inside it at the model's address: lowest free range above the heap, the
 * model's get_unmapped_area policy (a harness choice, not kernel behaviour under test, so the
 * addresses in a trace mean the same here). A step with several threads sends each thread's
 * program to its process, where it runs on a pthread; threads of one step start together.
 *
 * Input lines:
 *   scenario NAME | config ps=4 vpages=12 heap=2 procs=2 | file PATH HEX | end
 *   call STEP TH PID OP key=value...
 * Output: one JSON object per call on stdout:
 *   {"scenario":"NAME","step":S,"th":T,"k":K,"op":"read","ret":N,"data":[..],"signal":null,...}
 * plus {"scenario":"NAME","done":true} at the end of a scenario, or {"scenario":..,"error":".."}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <dirent.h>
#include <unistd.h>

#define PAGE 4096
#define MAXLINE 8192
#define MAXPROC 4
#define MAXCALLS 16

static long SCALE = 1024, VPAGES = 16, HEAP = 2, MAXPAGES = 64, FREE = -1;
/* Blocks left free beyond the model's and hidden from f_bfree: xfs reserves blocks for each
 * transaction (inode chunks, btree splits) and refuses a create or a write that would leave it
 * fewer, so on xfs the ballast stops SLACK blocks short (lab/mounts.txt). */
static long SLACK = 0;
static const char *ROOT = "/mnt";
/* The run's device, file system type and mount options (lab/mounts.txt): what mount, remount
 * and umount calls act on, and what a scenario that changed the mount gets back at its end. */
static const char *DEV, *FSTYPE, *OPTS;
/* The model's address space, at a fixed address far from where the kernel puts anything of
 * its own (libraries, stacks and the static binary's heap are elsewhere): only the heap and the
 * scenario's mappings are mapped in it, so a range past a mapping is unmapped, as in the model
 * (msync and mprotect -ENOMEM, a load SIGSEGV). */
#define VBASE ((char *)0x200000000000UL)
static char *vbase;

/* ---- small helpers ------------------------------------------------------------------------- */

/* where die() writes: stderr, or in a child (whose descriptors 0-999 are the model's) a copy of it */
static int errfd = 2;
static void die(const char *fmt, ...) {
  va_list ap; va_start(ap, fmt);
  dprintf(errfd, "executor%s: ", errfd == 2 ? "" : " (a scenario process)"); vdprintf(errfd, fmt, ap); dprintf(errfd, "\n");
  va_end(ap); exit(2);
}

/* key=value lookup in a call's argument list */
static const char *arg(char **kv, int n, const char *key) {
  size_t k = strlen(key);
  for (int i = 0; i < n; i++) if (!strncmp(kv[i], key, k) && kv[i][k] == '=') return kv[i] + k + 1;
  return NULL;
}
static long argl(char **kv, int n, const char *key, long dflt) {
  const char *v = arg(kv, n, key);
  return v ? strtol(v, NULL, 10) : dflt;
}
static int argb(char **kv, int n, const char *key, int dflt) {
  const char *v = arg(kv, n, key);
  return v ? (v[0] == '1' || v[0] == 't') : dflt;
}

/* output buffer for one call's observation */
typedef struct { char s[65536]; size_t n; } Out;
static void put(Out *o, const char *fmt, ...) {
  va_list ap; va_start(ap, fmt);
  int w = vsnprintf(o->s + o->n, sizeof o->s - o->n, fmt, ap);
  va_end(ap);
  if (w > 0) o->n += (size_t)w < sizeof o->s - o->n ? (size_t)w : sizeof o->s - o->n - 1;
}
/* data: real bytes folded to model bytes */
static void put_data(Out *o, const unsigned char *p, long real_len) {
  put(o, ",\"data\":[");
  for (long i = 0; i * SCALE < real_len; i++) {
    long end = (i + 1) * SCALE < real_len ? (i + 1) * SCALE : real_len;
    int v = p[i * SCALE];
    for (long j = i * SCALE; j < end; j++) if (p[j] != v) { v = -1; break; }
    put(o, "%s%d", i ? "," : "", v);
  }
  put(o, "]");
}
static long ret_of(long r) { return r < 0 ? -errno : r; }

/* ---- user memory: loads and stores that may fault ----------------------------------------- */

static __thread sigjmp_buf fault_jmp;
static __thread volatile int fault_armed;
static __thread volatile int fault_sig;

static void on_fault(int sig) {
  if (!fault_armed) { signal(sig, SIG_DFL); raise(sig); return; }
  fault_sig = sig;
  siglongjmp(fault_jmp, 1);
}

static char *uaddr(long model_addr) { return vbase + model_addr * SCALE; }

/* Access [addr, addr+len) of model bytes a page at a time, as the model does: `done` counts the
 * model bytes moved before a signal. */
static void user_access(Out *o, long addr, long len, const unsigned char *bytes, int store) {
  static __thread unsigned char buf[1 << 18];
  long real = len * SCALE;
  volatile long done = 0;
  fault_sig = 0;
  fault_armed = 1;
  if (sigsetjmp(fault_jmp, 1) == 0) {
    char *p = uaddr(addr);
    while (done < real) {
      /* one page (or the rest of it) at a time, so a fault stops at a page boundary */
      long in_page = PAGE - ((uintptr_t)(p + done) % PAGE);
      long n = real - done < in_page ? real - done : in_page;
      if (store) {
        for (long i = 0; i < n; i++) ((volatile char *)p)[done + i] = bytes[(done + i) / SCALE];
      } else {
        for (long i = 0; i < n; i++) buf[done + i] = ((volatile unsigned char *)p)[done + i];
      }
      done += n;
    }
  }
  fault_armed = 0;
  if (store) put(o, ",\"ret\":%ld", done / SCALE);
  else { put(o, ",\"ret\":0"); put_data(o, buf, done); }
  if (fault_sig) put(o, ",\"signal\":\"%s\"", fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
  else put(o, ",\"signal\":null");
}

/* ---- the address space: the model's placement inside one reserved range ------------------- */

typedef struct { long start, pages; } Range;
static Range maps[64];
static int nmaps;
static pthread_mutex_t mm_lock = PTHREAD_MUTEX_INITIALIZER;

static long free_range(long pages) {
  for (long start = HEAP; start + pages <= VPAGES; start++) {
    int clash = 0;
    for (int i = 0; i < nmaps; i++) if (start < maps[i].start + maps[i].pages && maps[i].start < start + pages) { clash = 1; break; }
    if (!clash) return start;
  }
  return -1;
}

static void forget_range(long start, long pages) {
  Range keep[128]; int n = 0;
  for (int i = 0; i < nmaps; i++) {
    Range m = maps[i];
    long end = start + pages, mend = m.start + m.pages;
    if (mend <= start || m.start >= end) { keep[n++] = m; continue; }
    if (m.start < start) keep[n++] = (Range){ m.start, start - m.start };
    if (mend > end) keep[n++] = (Range){ end, mend - end };
  }
  memcpy(maps, keep, sizeof(Range) * (size_t)n);
  nmaps = n;
}

static void setup_address_space(void) {
  vbase = VBASE;
  if (mmap(vbase, (size_t)HEAP * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != vbase) die("heap at %p: %s", (void *)vbase, strerror(errno));
  nmaps = 0;
}

/* ---- one call ------------------------------------------------------------------------------ */

/* Each scenario runs in a fresh directory of the mount, removed with its files at its end. */
static char DIR_[512];
static char *path_of(const char *name) {
  static __thread char p[1024];
  snprintf(p, sizeof p, "%s/%s", DIR_, name);
  return p;
}

static void clear_dir(void) {
  DIR *d = opendir(DIR_);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(path_of(e->d_name));
  closedir(d);
  rmdir(DIR_);
}

static int whence_of(const char *w) {
  if (!w || !strcmp(w, "set")) return SEEK_SET;
  if (!strcmp(w, "cur")) return SEEK_CUR;
  if (!strcmp(w, "end")) return SEEK_END;
  if (!strcmp(w, "data")) return SEEK_DATA;
  if (!strcmp(w, "hole")) return SEEK_HOLE;
  return -1;
}

static int parse_iov(const char *s, struct iovec *iov, long *model_total) {
  int n = 0; *model_total = 0;
  while (s && *s && n < 4) {
    long b = strtol(s, (char **)&s, 10);
    if (*s != ':') return -1;
    long l = strtol(s + 1, (char **)&s, 10);
    iov[n].iov_base = uaddr(b); iov[n].iov_len = (size_t)(l * SCALE); *model_total += l; n++;
    if (*s == ',') s++;
  }
  return n;
}

static void fold_iov_data(Out *o, struct iovec *iov, int n, long got) {
  static __thread unsigned char tmp[1 << 18];
  long k = 0;
  for (int i = 0; i < n && k < got; i++) {
    long take = (long)iov[i].iov_len < got - k ? (long)iov[i].iov_len : got - k;
    memcpy(tmp + k, iov[i].iov_base, (size_t)take);
    k += take;
  }
  put_data(o, tmp, got);
}

/* access_ok(): the model's user address space ends at vpages pages, the real one at TASK_SIZE.
 * A buffer running past the model's end is refused here with -EFAULT, as access_ok refuses one
 * running past TASK_SIZE, before the call reaches the kernel (xip_file_read, rw_verify_area). */
static int past_top(long buf, long len) { return buf < 0 || len < 0 || (buf + len) * SCALE > VPAGES * PAGE; }
/* The descriptor's own checks come first (vfs_read/vfs_write: -EBADF before access_ok). */
static int fd_allows(int fd, int want_write) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return 0;
  int acc = fl & O_ACCMODE;
  return want_write ? acc == O_WRONLY || acc == O_RDWR : acc == O_RDONLY || acc == O_RDWR;
}

/* The answer of a transfer (read, write and their variants): -errno, or the count in model
 * bytes (and the real count when it is not a whole number of them). Returns whether it moved
 * anything. */
static int put_count(Out *o, long r) {
  if (r < 0) { put(o, ",\"ret\":%ld", ret_of(r)); return 0; }
  put(o, ",\"ret\":%ld", r / SCALE);
  if (r % SCALE) put(o, ",\"partial\":%ld", r);
  return r > 0;
}
static void put_access_ok(Out *o) { put(o, ",\"ret\":%d,\"harness\":\"access_ok\"", -EFAULT); }

/* Runs a call and appends its observation fields (",\"ret\":…") to o. Copies of user memory
 * through read/write buffers may fault: the kernel returns -EFAULT or a short count, not a
 * signal, so no jump is armed around them. */
/* ext4 keeps reserved clusters (2 %, at most 4096) that f_bfree counts but a write cannot take:
 * lab/guest/init sets them to 0 after its mount, and so does every mount of a scenario. */
static void unreserve(void) {
  if (strcmp(FSTYPE, "ext4")) return;
  char p[256]; const char *b = strrchr(DEV, '/');
  snprintf(p, sizeof p, "/sys/fs/ext4/%s/reserved_clusters", b ? b + 1 : DEV);
  int fd = open(p, O_WRONLY);
  if (fd < 0 || write(fd, "0\n", 2) != 2) die("%s: %s", p, strerror(errno));
  close(fd);
}

/* On a DAX run, a scenario's mount without DAX puts page-cache files on the DAX device: the
 * trace audit is told when that begins and ends (checker/lab/trace-audit.ts), through ftrace's
 * trace_marker. No tracing, no marker. */
static void nodax_marker(const char *what) {
  if (!strstr(OPTS, "dax=always")) return;
  struct stat st;
  if (stat(DEV, &st) < 0) return;
  int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
  if (fd < 0) return;
  dprintf(fd, "lab-nodax-%s %u:%u\n", what, major(st.st_rdev), minor(st.st_rdev));
  close(fd);
}

/* After a scenario that mounted, remounted or unmounted: the run's own mount again, read-write
 * with its options, for the next scenario (and to remove this one's files). */
static void restore_mount(void) {
  if (umount2(ROOT, 0) < 0 && errno != EINVAL) die("umount %s: %s", ROOT, strerror(errno));
  if (mount(DEV, ROOT, FSTYPE, 0, OPTS) < 0) die("mount %s on %s (%s -o %s): %s", DEV, ROOT, FSTYPE, OPTS, strerror(errno));
  unreserve();
  nodax_marker("end");
}

static void run_call(Out *o, const char *op, char **kv, int n) {
  long r;
  if (!strcmp(op, "open")) {
    const char *f = arg(kv, n, "flags"); if (!f) f = "";
    int rd = !!strchr(f, 'r'), wr = !!strchr(f, 'w');
    int fl = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
    if (strchr(f, 'a')) fl |= O_APPEND;
    if (strchr(f, 'c')) fl |= O_CREAT;
    if (strchr(f, 'x')) fl |= O_EXCL;
    if (strchr(f, 't')) fl |= O_TRUNC;
    r = open(path_of(arg(kv, n, "name")), fl, 0644);
    put(o, ",\"ret\":%ld", ret_of(r));
    struct stat st; /* the inode number names the file in the kernel's trace */
    if (r >= 0 && fstat((int)r, &st) == 0) put(o, ",\"ino\":%lu", (unsigned long)st.st_ino);
  } else if (!strcmp(op, "close")) {
    put(o, ",\"ret\":%ld", ret_of(close((int)argl(kv, n, "fd", -1))));
  } else if (!strcmp(op, "unlink")) {
    put(o, ",\"ret\":%ld", ret_of(unlink(path_of(arg(kv, n, "name")))));
  } else if (!strcmp(op, "read") || !strcmp(op, "pread")) {
    long buf = argl(kv, n, "buf", 0), len = argl(kv, n, "len", 0);
    if (past_top(buf, len) && fd_allows((int)argl(kv, n, "fd", -1), 0)) { put_access_ok(o); return; }
    r = !strcmp(op, "read") ? read((int)argl(kv, n, "fd", -1), uaddr(buf), (size_t)(len * SCALE))
                            : pread((int)argl(kv, n, "fd", -1), uaddr(buf), (size_t)(len * SCALE), argl(kv, n, "pos", 0) * SCALE);
    if (put_count(o, r)) put_data(o, (unsigned char *)uaddr(buf), r);
  } else if (!strcmp(op, "readv") || !strcmp(op, "writev")) {
    struct iovec iov[4]; long total;
    int k = parse_iov(arg(kv, n, "iov"), iov, &total);
    if (k < 0) die("bad iov");
    int fd = (int)argl(kv, n, "fd", -1);
    int bad = 0;
    for (int i = 0; i < k; i++) if (past_top(((char *)iov[i].iov_base - vbase) / SCALE, (long)iov[i].iov_len / SCALE)) bad = 1;
    if (bad && fd_allows(fd, !strcmp(op, "writev"))) { put_access_ok(o); return; }
    r = !strcmp(op, "readv") ? readv(fd, iov, k) : writev(fd, iov, k);
    if (put_count(o, r) && !strcmp(op, "readv")) fold_iov_data(o, iov, k, r);
  } else if (!strcmp(op, "write") || !strcmp(op, "pwrite")) {
    long buf = argl(kv, n, "buf", 0), len = argl(kv, n, "len", 0);
    if (past_top(buf, len) && fd_allows((int)argl(kv, n, "fd", -1), 1)) { put_access_ok(o); return; }
    r = !strcmp(op, "write") ? write((int)argl(kv, n, "fd", -1), uaddr(buf), (size_t)(len * SCALE))
                             : pwrite((int)argl(kv, n, "fd", -1), uaddr(buf), (size_t)(len * SCALE), argl(kv, n, "pos", 0) * SCALE);
    put_count(o, r);
  } else if (!strcmp(op, "lseek")) {
    int w = whence_of(arg(kv, n, "whence"));
    int fd = (int)argl(kv, n, "fd", -1);
    off_t was = lseek(fd, 0, SEEK_CUR);
    off_t off = lseek(fd, (off_t)argl(kv, n, "pos", 0) * SCALE, w);
    if (off < 0) { put(o, ",\"ret\":%ld", (long)-errno); return; }
    /* generic_file_llseek_size refuses a position past s_maxbytes (-EINVAL): the model's
     * s_maxbytes is maxFilePages pages, the real one terabytes, so the executor applies the
     * model's (as RLIMIT_FSIZE applies it to writes) */
    if (off > MAXPAGES * PAGE) { lseek(fd, was, SEEK_SET); put(o, ",\"ret\":%d,\"harness\":\"s_maxbytes\"", -EINVAL); return; }
    put(o, ",\"ret\":%ld", (long)(off / SCALE));
    if (off % SCALE) put(o, ",\"partial\":%ld", (long)off);
  } else if (!strcmp(op, "fstat")) {
    struct stat st;
    if (fstat((int)argl(kv, n, "fd", -1), &st) < 0) { put(o, ",\"ret\":%ld", (long)-errno); return; }
    /* st_blocks is in 512-byte units; the model counts file-system blocks (one page each) */
    put(o, ",\"ret\":0,\"stat\":{\"size\":%ld,\"blocks\":%ld}", (long)(st.st_size / SCALE), (long)(st.st_blocks / (PAGE / 512)));
    if (st.st_size % SCALE) put(o, ",\"partial\":%ld", (long)st.st_size);
    struct statx sx;
    if (statx((int)argl(kv, n, "fd", -1), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0)
      put(o, ",\"dax\":%s", (sx.stx_attributes_mask & STATX_ATTR_DAX) && (sx.stx_attributes & STATX_ATTR_DAX) ? "true" : "false");
  } else if (!strcmp(op, "statfs")) {
    struct statvfs sv;
    /* the scenario's directory, not the mount point: unmounted, it is a name the root does not
     * have (-ENOENT), as in the model, where the mount point would answer for the root's file system */
    if (statvfs(DIR_, &sv) < 0) { put(o, ",\"ret\":%ld", (long)-errno); return; }
    /* signed: on xfs the free count may dip into the hidden slack */
    put(o, ",\"ret\":0,\"statfs\":{\"blocks\":%lu,\"bfree\":%ld,\"ro\":%s}", (unsigned long)(sv.f_blocks * sv.f_frsize / PAGE),
        (long)(sv.f_bfree * sv.f_frsize / PAGE) - SLACK, sv.f_flag & ST_RDONLY ? "true" : "false");
  } else if (!strcmp(op, "ftruncate")) {
    put(o, ",\"ret\":%ld", ret_of(ftruncate((int)argl(kv, n, "fd", -1), argl(kv, n, "len", 0) * SCALE)));
  } else if (!strcmp(op, "fsync")) {
    put(o, ",\"ret\":%ld", ret_of(fsync((int)argl(kv, n, "fd", -1))));
  } else if (!strcmp(op, "mmap")) {
    long pages = argl(kv, n, "pages", 0), pgoff = argl(kv, n, "pgoff", 0);
    int prot = (argb(kv, n, "read", 1) ? PROT_READ : 0) | (argb(kv, n, "write", 0) ? PROT_WRITE : 0);
    int flags = (argb(kv, n, "shared", 0) ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED; /* inside the reservation, at the model's address */
    pthread_mutex_lock(&mm_lock);
    long start = pages > 0 ? free_range(pages) : HEAP;
    if (pages > 0 && start < 0) {
      /* no room in the model's address space: get_unmapped_area's -ENOMEM, after the
       * descriptor's own check (ksys_mmap_pgoff: -EBADF first) */
      pthread_mutex_unlock(&mm_lock);
      put(o, ",\"ret\":%d", fcntl((int)argl(kv, n, "fd", -1), F_GETFL) < 0 ? -EBADF : -ENOMEM);
      return;
    }
    void *p = mmap(vbase + start * PAGE, (size_t)pages * PAGE, prot, flags, (int)argl(kv, n, "fd", -1), (off_t)pgoff * PAGE);
    if (p == MAP_FAILED) { int e = errno; pthread_mutex_unlock(&mm_lock); put(o, ",\"ret\":%d", -e); return; }
    maps[nmaps++] = (Range){ start, pages };
    pthread_mutex_unlock(&mm_lock);
    put(o, ",\"ret\":%ld", start * PAGE / SCALE);
  } else if (!strcmp(op, "munmap")) {
    long addr = argl(kv, n, "addr", 0), pages = argl(kv, n, "pages", 0);
    long vp = addr * SCALE / PAGE;
    if ((addr * SCALE) % PAGE || pages <= 0 || vp + pages > VPAGES) { put(o, ",\"ret\":%d", -EINVAL); return; }
    /* the heap stays mapped, as in the model (its heap vma is never unmapped) */
    long from = vp < HEAP ? HEAP : vp;
    pthread_mutex_lock(&mm_lock);
    if (from < vp + pages && munmap(vbase + from * PAGE, (size_t)(vp + pages - from) * PAGE) < 0) {
      int e = errno; pthread_mutex_unlock(&mm_lock); put(o, ",\"ret\":%d", -e); return;
    }
    if (from < vp + pages) forget_range(from, vp + pages - from);
    pthread_mutex_unlock(&mm_lock);
    put(o, ",\"ret\":0");
  } else if (!strcmp(op, "msync")) {
    long addr = argl(kv, n, "addr", 0), pages = argl(kv, n, "pages", 0);
    put(o, ",\"ret\":%ld", ret_of(msync(uaddr(addr), (size_t)pages * PAGE, argb(kv, n, "sync", 1) ? MS_SYNC : MS_ASYNC)));
  } else if (!strcmp(op, "mprotect")) {
    long addr = argl(kv, n, "addr", 0), pages = argl(kv, n, "pages", 0);
    int prot = (argb(kv, n, "read", 1) ? PROT_READ : 0) | (argb(kv, n, "write", 0) ? PROT_WRITE : 0);
    put(o, ",\"ret\":%ld", ret_of(mprotect(uaddr(addr), (size_t)pages * PAGE, prot)));
  } else if (!strcmp(op, "load")) {
    user_access(o, argl(kv, n, "addr", 0), argl(kv, n, "len", 1), NULL, 0);
  } else if (!strcmp(op, "store")) {
    const char *hex = arg(kv, n, "bytes");
    unsigned char bytes[4096]; long len = 0;
    while (hex && hex[0] && hex[1] && len < (long)sizeof bytes) { unsigned v; sscanf(hex, "%2x", &v); bytes[len++] = (unsigned char)v; hex += 2; }
    user_access(o, argl(kv, n, "addr", 0), len, bytes, 1);
  } else if (!strcmp(op, "umount")) {
    put(o, ",\"ret\":%ld", ret_of(umount2(ROOT, 0)));
  } else if (!strcmp(op, "mount") || !strcmp(op, "remount")) {
    /* the model's xip flag is the dax=always option; without it, no dax option at all: a
     * remount keeps the mode it has (ext2 and ext4 start a remount's options from the current
     * ones), a mount takes the default, dax=inode, which with no inode flagged is no DAX */
    int remount = op[0] == 'r';
    unsigned long fl = (remount ? MS_REMOUNT : 0) | (argb(kv, n, "ro", 0) ? MS_RDONLY : 0);
    r = mount(DEV, ROOT, FSTYPE, fl, argb(kv, n, "xip", 0) ? "dax=always" : "");
    put(o, ",\"ret\":%ld", ret_of(r));
    if (r == 0 && !remount) { unreserve(); nodax_marker(argb(kv, n, "xip", 0) ? "end" : "begin"); }
  } else {
    put(o, ",\"unsupported\":true");
  }
}

/* ---- processes and threads ----------------------------------------------------------------- */

typedef struct { char line[MAXLINE]; Out out; pthread_t t; pthread_barrier_t *bar; } Job;

static void run_line(Job *j) {
  /* call STEP TH PID OP k=v... ; the observation echoes STEP TH and the call's index K */
  char copy[MAXLINE]; strncpy(copy, j->line, sizeof copy - 1); copy[sizeof copy - 1] = 0;
  char *tok[64]; int nt = 0;
  /* strtok_r: the threads of a concurrent group tokenise their lines at once (strtok's one
   * hidden position, shared, once cut a line short: "short call line", the process gone) */
  char *save;
  for (char *s = strtok_r(copy, " \n", &save); s && nt < 64; s = strtok_r(NULL, " \n", &save)) tok[nt++] = s;
  if (nt < 6) die("short call line: %s", j->line);
  j->out.n = 0;
  put(&j->out, "\"step\":%s,\"th\":%s,\"k\":%s,\"op\":\"%s\"", tok[1], tok[2], tok[3], tok[5]);
  run_call(&j->out, tok[5], tok + 6, nt - 6);
}

/* a thread's program: its call lines, separated by '\x1e' */
static void *thread_main(void *p) {
  Job *j = p;
  char prog[MAXLINE * MAXCALLS]; strcpy(prog, j->line);
  static __thread Out acc;
  acc.n = 0;
  if (j->bar) pthread_barrier_wait(j->bar);
  for (char *save, *l = strtok_r(prog, "\x1e", &save); l; l = strtok_r(NULL, "\x1e", &save)) {
    Job one; memset(&one, 0, sizeof one);
    strncpy(one.line, l, sizeof one.line - 1);
    run_line(&one);
    put(&acc, "%s{%.*s}", acc.n ? "\x1e" : "", (int)one.out.n, one.out.s);
  }
  j->out = acc;
  return NULL;
}

/* Child: read "GO N" then N thread programs, one per line; run them on N pthreads started
 * together; write their observations back, one line per thread, then "OK". */
static void child_loop(int in, int out) {
  /* The model's descriptors start at 0 (get_unused_fd: the lowest free one): the child keeps
   * only its two pipes, moved out of the way, so its first open returns 0 as the model's does. */
  if (dup2(in, 1000) < 0 || dup2(out, 1001) < 0 || dup2(2, 1002) < 0) die("dup2");
  errfd = 1002;
  for (int fd = 0; fd < 1000; fd++) close(fd);
  FILE *fi = fdopen(1000, "r"), *fo = fdopen(1001, "w");
  /* The model's s_maxbytes is maxFilePages pages: RLIMIT_FSIZE gives the same -EFBIG and the
   * same cut of a write at the limit (generic_write_checks), once SIGXFSZ is ignored. */
  struct rlimit rl = { (rlim_t)MAXPAGES * PAGE, (rlim_t)MAXPAGES * PAGE };
  signal(SIGXFSZ, SIG_IGN);
  if (setrlimit(RLIMIT_FSIZE, &rl) < 0) die("setrlimit");
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_fault; sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL); sigaction(SIGBUS, &sa, NULL);
  setup_address_space();
  static char line[MAXLINE * MAXCALLS];
  while (fgets(line, sizeof line, fi)) {
    int nth;
    if (sscanf(line, "GO %d", &nth) != 1) break;
    static Job jobs[MAXCALLS];
    pthread_barrier_t bar; pthread_barrier_init(&bar, NULL, (unsigned)nth);
    for (int i = 0; i < nth; i++) {
      if (!fgets(line, sizeof line, fi)) die("lost thread program");
      line[strcspn(line, "\n")] = 0;
      memset(&jobs[i], 0, sizeof jobs[i]);
      strncpy(jobs[i].line, line, sizeof jobs[i].line - 1);
      jobs[i].bar = nth > 1 ? &bar : NULL;
    }
    if (nth == 1) thread_main(&jobs[0]);
    else {
      for (int i = 0; i < nth; i++) pthread_create(&jobs[i].t, NULL, thread_main, &jobs[i]);
      for (int i = 0; i < nth; i++) pthread_join(jobs[i].t, NULL);
    }
    pthread_barrier_destroy(&bar);
    for (int i = 0; i < nth; i++) fprintf(fo, "%.*s\n", (int)jobs[i].out.n, jobs[i].out.s);
    fprintf(fo, "OK\n");
    fflush(fo);
  }
  exit(0);
}

typedef struct { pid_t pid; FILE *to, *from; } Proc;
static Proc procs[MAXPROC];
static int nprocs;

static void start_procs(int n) {
  for (int i = 0; i < n; i++) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) die("pipe");
    fflush(stdout);
    pid_t p = fork();
    if (p < 0) die("fork");
    if (p == 0) { close(a[1]); close(b[0]); child_loop(a[0], b[1]); }
    close(a[0]); close(b[1]);
    procs[i] = (Proc){ p, fdopen(a[1], "w"), fdopen(b[0], "r") };
  }
  nprocs = n;
}

static void stop_procs(void) {
  FREE = -1;
  for (int i = 0; i < nprocs; i++) { fclose(procs[i].to); fclose(procs[i].from); if (procs[i].pid > 0) { kill(procs[i].pid, SIGKILL); waitpid(procs[i].pid, NULL, 0); } }
  nprocs = 0;
}

/* ---- a step: its calls grouped into threads, threads grouped by process ------------------- */

typedef struct { int th, pid; char prog[MAXLINE * MAXCALLS]; } Thread;

/* Runs one step; -1 if a process died (the scenario cannot go on: its state is gone). */
static int run_step(const char *scen, Thread *ths, int nth) {
  /* send every process its threads, then collect: processes run in parallel */
  int per[MAXPROC] = { 0 };
  for (int i = 0; i < nth; i++) per[ths[i].pid]++;
  for (int p = 0; p < nprocs; p++) {
    if (!per[p]) continue;
    fprintf(procs[p].to, "GO %d\n", per[p]);
    for (int i = 0; i < nth; i++) if (ths[i].pid == p) fprintf(procs[p].to, "%s\n", ths[i].prog);
    fflush(procs[p].to);
  }
  static char line[65536 * 2];
  for (int p = 0; p < nprocs; p++) {
    if (!per[p]) continue;
    for (;;) {
      if (!fgets(line, sizeof line, procs[p].from)) {
        int st = 0;
        waitpid(procs[p].pid, &st, 0);
        procs[p].pid = -1;
        if (WIFSIGNALED(st)) printf("{\"scenario\":\"%s\",\"error\":\"process %d died of signal %d\"}\n", scen, p, WTERMSIG(st));
        else printf("{\"scenario\":\"%s\",\"error\":\"process %d exited with status %d\"}\n", scen, p, WEXITSTATUS(st));
        fflush(stdout);
        return -1;
      }
      if (!strcmp(line, "OK\n")) break;
      line[strcspn(line, "\n")] = 0;
      for (char *save, *obs = strtok_r(line, "\x1e", &save); obs; obs = strtok_r(NULL, "\x1e", &save))
        printf("{\"scenario\":\"%s\",\"pid\":%d,%s\n", scen, p, obs + 1);
    }
  }
  fflush(stdout);
  return 0;
}

/* A configured file: its bytes, its hole pages left unwritten (they read as zeros, own no block). */
static void hexfile(const char *path, const char *hex, const char *holes) {
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) die("create %s: %s", path, strerror(errno));
  if (!strcmp(hex, "-")) hex = "";
  unsigned char *buf = calloc(1, strlen(hex) / 2 * (size_t)SCALE + 1);
  long k = 0;
  for (const char *h = hex; h[0] && h[1]; h += 2) { unsigned v; sscanf(h, "%2x", &v); memset(buf + k, (int)v, (size_t)SCALE); k += SCALE; }
  char hole[256] = { 0 };
  for (const char *h = holes; h && *h && strcmp(h, "-"); ) { long i = strtol(h, (char **)&h, 10); if (i >= 0 && i < 256) hole[i] = 1; if (*h == ',') h++; else break; }
  for (long pg = 0; pg * PAGE < k; pg++) {
    long n = k - pg * PAGE < PAGE ? k - pg * PAGE : PAGE;
    if (!hole[pg] && pwrite(fd, buf + pg * PAGE, (size_t)n, pg * PAGE) != n) die("write %s", path);
  }
  if (ftruncate(fd, k) < 0) die("truncate %s", path);
  fsync(fd); close(fd); free(buf);
}

/* Fill the file system with a ballast file until exactly FREE blocks are free, as in the
 * model's file system at start: ENOSPC then comes where the model's comes. */
static long bfree_now(void) {
  sync();
  struct statvfs sv;
  if (statvfs(DIR_, &sv) < 0) die("statvfs: %s", strerror(errno));
  return (long)(sv.f_bfree * sv.f_frsize / PAGE);
}
/* Returns NULL, or why the free count cannot be reached: the scenario is then reported failed. */
static const char *settle(void);
static int ballast_fd = -1;
static off_t ballast_size;
static const char *ballast(void) {
  if (FREE < 0) return NULL;
  /* xfs allocates inodes in chunks of 64 and needs free blocks for a new chunk: a file created
   * on a nearly full xfs fails with ENOSPC. Inodes made before the ballast and freed after it
   * stay in their chunk for the scenario's own files. */
  char pre[32];
  for (int i = 0; i < 8; i++) { snprintf(pre, sizeof pre, ".pre%d", i); int fd = open(path_of(pre), O_CREAT | O_WRONLY, 0600); if (fd >= 0) close(fd); }
  /* xfs (5.17+) frees the last scenario's unlinked files, the old ballast among them, in the
   * background (inodegc): wait until the free count holds still (up to 5 s) before aiming at it */
  long last = -1;
  for (int i = 0; i < 100; i++) { long now = bfree_now(); if (now == last) break; last = now; usleep(50000); }
  ballast_fd = open(path_of(".ballast"), O_CREAT | O_RDWR, 0600);
  ballast_size = 0;
  const char *why = settle();
  for (int i = 0; i < 8; i++) { snprintf(pre, sizeof pre, ".pre%d", i); unlink(path_of(pre)); }
  if (!why) why = settle();
  close(ballast_fd);
  return why;
}
static const char *settle(void) {
  static char why[256];
  int fd = ballast_fd;
  off_t size = ballast_size;
  if (fd < 0) { snprintf(why, sizeof why, "ballast: cannot create it"); return why; }
  long chunk = 0;
  int waits = 0;
  for (int round = 0; round < 200; round++) {
    long extra = bfree_now() - (FREE + SLACK);
    if (extra == 0) { ballast_size = size; return NULL; }
    if (extra > 0) {
      /* xfs takes blocks for its own btrees as the file grows, and refuses an allocation that
       * would leave none: grow by at most `extra`, halving the request on ENOSPC */
      if (!chunk || chunk > extra) chunk = extra;
      if (fallocate(fd, 0, size, (off_t)chunk * PAGE) < 0) {
        if (errno != ENOSPC || chunk == 1) { snprintf(why, sizeof why, "ballast: %ld blocks free, want %ld: %s", extra + FREE + SLACK, FREE + SLACK, strerror(errno)); return why; }
        chunk /= 2;
        continue;
      }
      size += (off_t)chunk * PAGE;
      ballast_size = size;
    } else {
      /* xfs (5.17+) frees the blocks of the last scenario's unlinked files in the background
       * (inodegc): short of blocks with no ballast left, wait for them (up to 2 s) */
      if (size + (off_t)extra * PAGE < 0 && waits < 100) { waits++; sync(); usleep(20000); round--; continue; }
      size += (off_t)extra * PAGE;
      if (size < 0 || ftruncate(fd, size) < 0) { snprintf(why, sizeof why, "ballast: cannot free %ld blocks", -extra); return why; }
      ballast_size = size;
      chunk = 1;
    }
  }
  snprintf(why, sizeof why, "ballast: free blocks do not settle at %ld (now %ld)", FREE + SLACK, bfree_now());
  return why;
}

int main(int argc, char **argv) {
  if (argc != 7) die("usage: executor ROOT SCENARIO-FILE SLACK DEVICE FSTYPE MOUNT-OPTIONS");
  ROOT = argv[1];
  SLACK = atol(argv[3]);
  DEV = argv[4]; FSTYPE = argv[5]; OPTS = argv[6];
  FILE *f = fopen(argv[2], "r");
  if (!f) die("cannot open %s", argv[2]);
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* a process that died leaves its pipe without a reader: the write fails, the executor goes on */
  signal(SIGPIPE, SIG_IGN);
  static char line[MAXLINE];
  static Thread ths[MAXCALLS];
  int nth = 0, want_procs = 1, skipping = 0, mount_changed = 0; long cur_step = -1;
  char scen[256] = "";
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "call ", 5)) {
      long step; int th, k, pid;
      char op[32];
      if (sscanf(line, "call %ld %d %d %d %31s", &step, &th, &k, &pid, op) != 5) die("bad call line: %s", line);
      if (!strcmp(op, "mount") || !strcmp(op, "remount") || !strcmp(op, "umount")) mount_changed = 1;
      if (skipping) continue;
      if (!nprocs) {
        const char *why = ballast();
        if (why) { printf("{\"scenario\":\"%s\",\"error\":\"%s\"}\n", scen, why); skipping = 1; continue; }
        start_procs(want_procs);
      }
      if (pid < 0 || pid >= nprocs) die("pid %d out of range", pid);
      if (step != cur_step && nth) { int died = run_step(scen, ths, nth) < 0; nth = 0; if (died) { skipping = 1; continue; } }
      cur_step = step;
      int i;
      for (i = 0; i < nth && ths[i].th != th; i++) {}
      if (i == nth) { if (nth == MAXCALLS) die("too many threads"); ths[nth].th = th; ths[nth].pid = pid; ths[nth].prog[0] = 0; nth++; }
      if (ths[i].prog[0]) strcat(ths[i].prog, "\x1e");
      strcat(ths[i].prog, line);
      continue;
    }
    if (nth) { if (run_step(scen, ths, nth) < 0) skipping = 1; nth = 0; cur_step = -1; }
    if (skipping && strcmp(line, "end")) continue;
    if (!strncmp(line, "scenario ", 9)) {
      snprintf(scen, sizeof scen, "%.200s", line + 9);
      static int count;
      snprintf(DIR_, sizeof DIR_, "%s/s%d", ROOT, count++);
      if (mkdir(DIR_, 0755) < 0 && errno != EEXIST) die("mkdir %s: %s", DIR_, strerror(errno));
    } else if (!strncmp(line, "config ", 7)) {
      long ps = 4, procs_n = 1;
      for (char *t = strtok(line + 7, " "); t; t = strtok(NULL, " ")) {
        if (!strncmp(t, "ps=", 3)) ps = atol(t + 3);
        else if (!strncmp(t, "vpages=", 7)) VPAGES = atol(t + 7);
        else if (!strncmp(t, "heap=", 5)) HEAP = atol(t + 5);
        else if (!strncmp(t, "procs=", 6)) procs_n = atol(t + 6);
        else if (!strncmp(t, "maxpages=", 9)) MAXPAGES = atol(t + 9);
        else if (!strncmp(t, "free=", 5)) FREE = atol(t + 5);
      }
      if (ps <= 0 || PAGE % ps) die("page size %ld does not divide %d", ps, PAGE);
      SCALE = PAGE / ps;
      want_procs = (int)procs_n;
    } else if (!strncmp(line, "file ", 5)) {
      char *name = strtok(line + 5, " "), *hex = strtok(NULL, " "), *holes = strtok(NULL, " ");
      hexfile(path_of(name), hex ? hex : "", holes);
    } else if (!strcmp(line, "end")) {
      stop_procs();
      if (mount_changed) { restore_mount(); mount_changed = 0; }
      clear_dir();
      if (skipping) { skipping = 0; continue; }
      printf("{\"scenario\":\"%s\",\"done\":true}\n", scen);
    }
  }
  return 0;
}
