/*
 * race1.pml — xipcheck "race 1": XIP read fault installing the sparse page vs. a write
 * that allocates the block and __xip_unmap()s the sparse page. Promela model for SPIN
 * (tested with Spin 6.5.2, Debian package `spin`).
 *
 * Switch:  FIXED=1 (default) models 2.6.27–3.19 (Nick Piggin's "mm: xip fix fault vs
 *          sparse page invalidate race": xip_sparse_mutex + xip_sparse_seq).
 *          FIXED=0 models the code before it (no mutex, no seqcount, no re-check).
 *          spin -a -DFIXED=0 race1.pml
 *          INVARIANT=1 (default) also checks the per-step invariant below; 0 = end state only.
 *          SEQ_BEGIN_SPINS=1 (default): read_seqcount_begin waits for an even count (see below).
 *          SPARSE_PAGE_INIT=2 (default): __xip_sparse_page initially NULL or already allocated
 *          (it is global, allocated once by the first sparse fault on any XIP file);
 *          0 = NULL, 1 = allocated (forces every counterexample through the vma walk).
 *          COPIES=1 (default) to 4: that many copies of the race, A(k) and B(k) on page k, sharing
 *          xip_sparse_mutex, xip_sparse_seq and __xip_sparse_page, which mm/filemap_xip.c
 *          (2.6.28–3.19) declares at file scope (`static DEFINE_MUTEX(xip_sparse_mutex);
 *          static seqcount_t xip_sparse_seq; static struct page *__xip_sparse_page;`), one for
 *          every XIP file of every mount: the same race at larger bounds (bench: 2 and 3; COPIES=1 gives the states and
 *          transitions of the model before the switch, 223 and 317 fixed).
 *
 * Processes (one file page pgoff, one MAP_PRIVATE read-only vma of process A, so A's hole
 * fault never allocates; B writes the same page through write(2)):
 *   A = mm/filemap_xip.c xip_file_fault (2.6.27–3.19), read fault on a hole, sparse branch
 *       (`again:` ... get_xip_mem(create=0) == -ENODATA, vma not shared-writable ...),
 *       and on retry the `found:` branch (vm_insert_mixed of the block's pfn).
 *   B = mm/filemap_xip.c __xip_file_write (2.6.27–3.19) for that page: get_xip_mem(create=0)
 *       == -ENODATA, then get_xip_mem(create=1) under xip_sparse_mutex, then
 *       __xip_unmap(mapping, pgoff) (same file, 2.6.27–3.19), then the data copy.
 *   get_xip_mem = fs/ext2/xip.c ext2_get_xip_mem (2.6.27–3.19): create=0 is a lookup that
 *       returns -ENODATA for a hole; create=1 allocates, zeroes and links the block.
 *   init = harness: starts A and B, waits until both have finished, checks the end state.
 *
 * State: block_allocated, a_pte ∈ {NONE, SPARSE, PFN}, sparse_page (__xip_sparse_page != NULL,
 * allocated lazily by xip_sparse_page() on the first sparse fault), mutex (owner of
 * xip_sparse_mutex: 0 free, 1 A, 2 B), seq (xip_sparse_seq), data_written; ghost unmap_done
 * (B's __xip_unmap has returned).
 *
 * Properties:
 *   end state (init, after A and B finished):  !(a_pte == SPARSE && block_allocated)
 *   per-step invariant INV:                    !(a_pte == SPARSE && unmap_done)
 *     "a pte may map the sparse page only while the writer has not yet finished unmapping".
 *     a_pte becomes SPARSE only in A's insert step and unmap_done becomes 1 only in B's
 *     __xip_unmap-return steps (and nothing clears a_pte after unmap_done), so asserting INV
 *     inside exactly those steps is equivalent to checking it in every reachable state.
 *   Plus pan's default invalid-end-state (deadlock) check.
 *
 * Step granularity (matches the TypeScript explorer of /work/main/model): ONE Promela
 * transition per kernel step, i.e. per mutex_lock / mutex_unlock, per get_xip_mem call,
 * per seqcount increment (write_seqcount_begin / _end), per pte insert (check pte_none +
 * set, under the pte lock), per __xip_unmap walk (page_check_address + ptep_clear_flush
 * under the pte lock), per seqcount read (read_seqcount_begin together with the read of
 * __xip_sparse_page, as in model/mm/__xip_unmap.ts; read_seqcount_retry), and the data copy.
 *   - A step that reads shared state and branches is written as the guard of an if-option,
 *     so the read *is* the transition.  Steps that need a test and a write (mutex_lock =
 *     wait-until-free + take; pte check-and-insert under the ptl; the walk) are d_step{}:
 *     a d_step is exactly one transition.  No atomic{} is used.  Ghost writes (unmap_done)
 *     and assert()s ride inside the step they belong to and add no transition.
 *   - Statement merging (spin -a default): SPIN merges chains of statements that touch only
 *     local variables into one transition; `spin -o3` ("turn off statement merging in
 *     verifier", see `spin --help`) disables it.  Merging could only remove states that no
 *     other process can observe, but here it has nothing to do: every local write (`count`,
 *     `locked`) sits inside a d_step of a kernel step, and `./pan -d` prints the same
 *     transition table with and without -o3 (12 transitions in A, 13 in B, plus the ends).
 *     run-spin.mjs uses the default and also reports -o3 (same numbers).  Partial-order
 *     reduction (pan's default) is reported with and without -DNOREDUCE.  Interleaving is sequentially
 *     consistent: the seqcount's smp_wmb/smp_rmb and weak memory are not modelled.
 *   - SPIN options used (run-spin.mjs): spin -a -DFIXED=0|1 race1.pml;
 *     gcc -O2 -DSAFETY [-DBFS] [-DNOREDUCE] -o pan pan.c; ./pan (defaults: -m10000 depth
 *     limit, -w24 hash table, -c1 stop at first error); trail: spin -t -p -DFIXED=0 race1.pml.
 *   - Left out because they cannot change the outcome here: i_size_read (constant), the
 *     a_ops and MS_RDONLY reads (constant), i_mutex (only B takes it), mapping->i_mmap lock
 *     around the walk (only B takes it: A's pte insert in 2.6.27–3.19 does not), ext2's
 *     truncate_mutex inside create=1 (only B allocates), and the split of create=1 into
 *     lookup / alloc / direct_access (model/fs/ext2/xip.ts makes those 3 steps + lock/unlock;
 *     here only the final "block linked" write is visible to A, so it is one step).
 *   - read_seqcount_begin spins while the count is odd.  SEQ_BEGIN_SPINS=1 (default) models
 *     that exactly: the step is enabled only when seq is even (a busy-wait is a stutter, so
 *     blocking is equivalent).  SEQ_BEGIN_SPINS=0 reads seq as is (like model/mm/__xip_unmap.ts),
 *     an odd count then forces the locked retry — but the `if (!page) return` that comes
 *     before any retry check is then only safe thanks to the mutex around create=1 (remove
 *     that mutex and SEQ_BEGIN_SPINS=0 fails, =1 still verifies).
 *   - FIXED=0 A has no re-check (as in the kernel before the fix); the TS variant 2.6.26
 *     keeps the unlocked re-check get_xip_mem(create=0) — one more step, same race.
 *   - Dating: the project dates the fix 2.6.27; the LKML posting (Nick Piggin, 18 Aug 2008,
 *     "mm: xip fix fault vs sparse page invalidate race") is written against get_xip_mem,
 *     which suggests the 2.6.28 merge window. Not checked against a release tag here.
 *
 * Findings (mutations of this file, sequentially consistent, BFS):
 *   - FIXED=0: shortest counterexample (5 kernel steps B A B B A) does not even reach the
 *     vma walk: B reads __xip_sparse_page == NULL and returns, then A allocates the sparse
 *     page and maps it. With SPARSE_PAGE_INIT=1 it is the walk race (B A B B B A).
 *   - FIXED=1 without A's re-check under the write section: fails.
 *   - FIXED=1 without the read_seqcount_retry / locked re-walk: still verifies, and so does
 *     FIXED=1 without the mutex around create=1 (if read_seqcount_begin waits for an even
 *     count): for one fault vs one write, the re-check plus either of the two suffices.
 */

#ifndef FIXED
#define FIXED 1
#endif
#ifndef INVARIANT
#define INVARIANT 1
#endif
#ifndef SEQ_BEGIN_SPINS
#define SEQ_BEGIN_SPINS 1            /* read_seqcount_begin waits while the count is odd */
#endif
#if SEQ_BEGIN_SPINS
#define SEQ_BEGIN_READY ((seq & 1) == 0)
#else
#define SEQ_BEGIN_READY true
#endif
#ifndef SPARSE_PAGE_INIT
#define SPARSE_PAGE_INIT 2           /* 0: no sparse page yet, 1: already allocated, 2: either */
#endif
#ifndef COPIES
#define COPIES 1                     /* copies of the race, each on a page of its own: A(k) faults
                                        and B(k) writes page k. xip_sparse_mutex, xip_sparse_seq
                                        and __xip_sparse_page are the kernel's globals, shared by
                                        all: a larger bound of the same race (bench: COPIES=2, 3) */
#endif

mtype = { NONE, SPARSE, PFN };

/* per copy k (page k): */
bit   block_allocated[COPIES];  /* ext2: block linked into the inode (zeroed before linking) */
mtype a_pte[COPIES] = NONE;     /* A(k)'s pte for page k                                      */
bit   data_written[COPIES];     /* B(k)'s __copy_from_user_nocache into the block             */
bit   unmap_done[COPIES];       /* ghost: B(k)'s __xip_unmap has returned                     */
/* the kernel's globals: */
bit   sparse_page = 0;       /* __xip_sparse_page != NULL                                  */
byte  mutex = 0;             /* xip_sparse_mutex owner: 0 free, 2k+1 A(k), 2k+2 B(k)        */
byte  seq = 0;               /* xip_sparse_seq                                              */

#define INV(k)   (!(a_pte[k] == SPARSE && unmap_done[k]))
#if INVARIANT
#define CHECK_INV(k) assert(INV(k))
#else
#define CHECK_INV(k) skip
#endif

/* mutex_lock: blocks until free, then takes it — one step */
#define MUTEX_LOCK(me)   d_step { mutex == 0; mutex = me }
#define MUTEX_UNLOCK(me) d_step { assert(mutex == me); mutex = 0 }

/* mm/filemap_xip.c xip_file_fault, MAP_PRIVATE read fault on a hole */
proctype A(byte k)
{
again:
	/* error = get_xip_mem(mapping, pgoff, 0, ...) */
	if
	:: block_allocated[k] ->                                /* found: */
		/* vm_insert_mixed(vma, addr, pfn); -EBUSY is success since 2.6.36 */
		d_step {
			if
			:: a_pte[k] == NONE -> a_pte[k] = PFN
			:: else -> skip
			fi
		}
	:: !block_allocated[k] ->                               /* -ENODATA: sparse block */
#if FIXED
		MUTEX_LOCK(2*k+1);                               /* mutex_lock(&xip_sparse_mutex) */
		seq++;                                       /* write_seqcount_begin */
		/* re-check: error = get_xip_mem(mapping, pgoff, 0, ...) */
		if
		:: block_allocated[k] ->
			seq++;                               /* write_seqcount_end */
			MUTEX_UNLOCK(2*k+1);                     /* mutex_unlock */
			goto again
		:: !block_allocated[k]
		fi;
#endif
		/* page = xip_sparse_page(); vm_insert_page(vma, addr, page)  (FIXED=0: the page
		 * goes back in vmf->page and __do_fault installs it under the ptl) */
		d_step {
			sparse_page = 1;
			if
			:: a_pte[k] == NONE -> a_pte[k] = SPARSE
			:: else -> skip                      /* -EBUSY */
			fi;
			CHECK_INV(k)
		}
#if FIXED
		;
		seq++;                                       /* write_seqcount_end */
		MUTEX_UNLOCK(2*k+1)                              /* mutex_unlock */
#endif
	fi
}

/* mm/filemap_xip.c __xip_file_write for one page that is a hole, + __xip_unmap */
proctype B(byte k)
{
	byte count;
	bit locked = 0;

	/* status = get_xip_mem(mapping, index, 0, ...) */
	if
	:: block_allocated[k] -> goto copy                      /* unreachable: only B allocates */
	:: !block_allocated[k]                                  /* -ENODATA */
	fi;
#if FIXED
	MUTEX_LOCK(2*k+2);                                       /* mutex_lock(&xip_sparse_mutex) */
#endif
	block_allocated[k] = 1;                                 /* get_xip_mem(mapping, index, 1, ...) */
#if FIXED
	MUTEX_UNLOCK(2*k+2);                                     /* mutex_unlock */
#endif

	/* __xip_unmap(mapping, index):
	 *   count = read_seqcount_begin(&xip_sparse_seq); page = __xip_sparse_page;
	 *   if (!page) return;                           — one step, the return folded in */
	if
	:: d_step { SEQ_BEGIN_READY && !sparse_page; count = seq; unmap_done[k] = 1; CHECK_INV(k) } -> goto copy
	:: d_step { SEQ_BEGIN_READY && sparse_page; count = seq }
	fi;
	/* retry: */
	do
	:: /* vma walk: pte = page_check_address(page, mm, address, &ptl, 1);
	    * if (pte) ptep_clear_flush ...                   — one step under the ptl */
		d_step {
			if
			:: a_pte[k] == SPARSE -> a_pte[k] = NONE
			:: else -> skip
			fi;
#if !FIXED
			unmap_done[k] = 1;                      /* return */
			CHECK_INV(k)
#endif
		};
#if FIXED
		if
		:: d_step { locked; assert(mutex == 2*k+2); mutex = 0; unmap_done[k] = 1; CHECK_INV(k) } -> break
		                                             /* if (locked) mutex_unlock; return */
		:: d_step { !locked && seq == count && (count & 1) == 0; unmap_done[k] = 1; CHECK_INV(k) } -> break
		                                             /* !read_seqcount_retry: return */
		:: d_step { !locked && (seq != count || (count & 1) == 1) } ->
		                                             /* read_seqcount_retry */
			d_step { mutex == 0; mutex = 2*k+2; locked = 1 }  /* mutex_lock; locked = 1; goto retry */
		fi
#else
		break
#endif
	od;
copy:
	data_written[k] = 1                                     /* __copy_from_user_nocache(xip_mem + offset, ...) */
}

/* the end state of copy k; the copies are unrolled (a loop in init adds states of its own) */
#define END(k) (!(a_pte[k] == SPARSE && block_allocated[k]))
#if COPIES == 1
#define ALL_END END(0)
#elif COPIES == 2
#define ALL_END (END(0) && END(1))
#elif COPIES == 3
#define ALL_END (END(0) && END(1) && END(2))
#elif COPIES == 4
#define ALL_END (END(0) && END(1) && END(2) && END(3))
#else
#error "COPIES is 1 to 4"
#endif

init
{
	atomic {
#if SPARSE_PAGE_INIT == 2
		if                           /* the sparse page is global: an earlier sparse fault */
		:: skip                      /* on any XIP file may already have allocated it     */
		:: sparse_page = 1
		fi;
#elif SPARSE_PAGE_INIT == 1
		sparse_page = 1;
#endif
		run A(0); run B(0)
#if COPIES >= 2
		; run A(1); run B(1)
#endif
#if COPIES >= 3
		; run A(2); run B(2)
#endif
#if COPIES >= 4
		; run A(3); run B(3)
#endif
	};
	(_nr_pr == 1);                                       /* all finished */
	assert(ALL_END)
}
