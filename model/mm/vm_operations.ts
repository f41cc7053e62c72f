import { tableRegistry, tracked } from '../kernel/tables.ts';
import type { Ctx, Proc } from '../kernel/step.ts';
import type { Vma } from '../state.ts';

/** VM_FAULT_NOPAGE (pte installed by the handler), VM_FAULT_SIGBUS, VM_FAULT_OOM. */
export type FaultResult = 'NOPAGE' | 'SIGBUS' | 'OOM' | 'SIGBUS_ALLOC';
// SIGBUS_ALLOC is VM_FAULT_SIGBUS caused by a failed block allocation (ENOSPC: a full bitmap,
// or brd's exhausted memory; brd's ENOMEM before 3.16): the kernel cannot tell them apart, the model labels it so the abstract
// reference — which has no blocks — knows why the access failed.

/**
 * include/linux/mm.h `struct vm_operations_struct`: `.fault` (2.6.23+; `.nopage` before).
 * xip_file_vm_ops = { .fault = xip_file_fault, .page_mkwrite = filemap_page_mkwrite } (3.6+),
 * but page_mkwrite is never reached for XIP data ptes (special pfn ptes, see do_wp_page).
 */
export interface VmOperations {
  readonly name: string;
  /** `write`: FAULT_FLAG_WRITE (3.19's xip_file_fault does not look at it). */
  readonly fault: (ctx: Ctx, pid: number, vma: Vma, vpage: number, write: boolean) => Proc<FaultResult>;
  /**
   * ->pfn_mkwrite (4.1+): a store to a read-only special pte (a device pfn or the zero page) of a
   * shared writable mapping calls it from do_wp_page (wp_pfn_shared) instead of simply making the
   * pte writable. The DAX tables of 6.1 point it at their fault handler.
   */
  readonly pfn_mkwrite?: (ctx: Ctx, pid: number, vma: Vma, vpage: number) => Proc<FaultResult>;
}

/**
 * vma->vm_ops, by name (Vma.vmOps): the module that defines a table registers it, and the
 * ->mmap that installs it lives beside it, so a vma can only name a registered table.
 */
const vmOps = tableRegistry<VmOperations>('vm_operations');
tracked('vm_operations', vmOps.map);

export function register_vm_ops(v: VmOperations): VmOperations {
  return vmOps.register(v);
}

export const vmOpsByName = vmOps.byName;
