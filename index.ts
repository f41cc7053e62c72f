/**
 * xipcheck's public entry point: `import { … } from 'xipcheck'`.
 * The model (state, config, actions, runtime), the invariant registry and the abstract
 * reference, the arbitraries, and the checker — enough to check your own property in a few
 * lines (see test/library.test.ts and README "Library use").
 * @packageDocumentation
 */

// ---- the model ----------------------------------------------------------------------------
export type {
  State, Device, SuperBlock, Inode, Proc as Process, Vma, Pte, OpenFile, Thread, Call, Observation,
} from './model/state.ts';
export type { Config, ConfigInput, DeviceConfig } from './model/config.ts';
export type { Variant, Mutation } from './model/kernel/variant.ts';
export type { Ctx, Proc, Request } from './model/kernel/step.ts';
export type { BlockDeviceOperations, BlockDriver, DirectAccess, Disk, DriverRole, DriverStep } from './model/block/block_device_operations.ts';
export type { AddressSpaceOperations, XipMem } from './model/fs/address_space_operations.ts';
export type { VmOperations, FaultResult } from './model/mm/vm_operations.ts';
export type { FileOperations } from './model/fs/file_operations.ts';
export { Config as ConfigSchema } from './model/config.ts';
export { Action, ACTION_CITES, program } from './model/actions.ts';
export type { OpName } from './model/actions.ts';
export { initialState, ConfigError } from './model/init.ts';
export { VARIANTS, variantByName } from './model/variants.ts';
export { variant } from './model/kernel/variant.ts';
export { spawn, step, enabled, runCall, threadOf, removeThread, Deadlock } from './model/kernel/runtime.ts';
export { errnoName, errnoValue } from './model/kernel/errno.ts';
export { allBranches, defensiveBranches } from './model/kernel/coverage.ts';

// ---- the plug-in contract: what a driver is written against (docs/auditing.md) ------------
export { pfnOf } from './model/kernel/physmem.ts';
export { PAGE_SECTORS } from './model/config.ts';
export { branches, hit } from './model/kernel/coverage.ts';
export { has } from './model/kernel/variant.ts';
export * as errno from './model/kernel/errno.ts';
export { registerDriver, driverNames } from './model/block/driver.ts';
export { PluginFault } from './model/kernel/plugin-guard.ts';
// the file-system contract: the kernel functions a file system may call, its tables
export * as kernel from './model/fs/kernel_api.ts';
export type { FileSystemType, SuperOperations, MountArgs, SuperResult, FsLayout, MkfsFile } from './model/fs/super_operations.ts';
export type { Plugin, DriverPlugin, FsPlugin } from './checker/audit/plugin-shape.ts';
// the reference file system and drivers, written against the same contracts (an audit of each exits 0)
export { ext2_plugin as ext2 } from './model/fs/ext2/register.ts';
export { dcssblk_driver } from './model/block/drivers/dcssblk.ts';
export { brd_driver } from './model/block/drivers/brd.ts';
export { axonram_driver } from './model/block/drivers/axonram.ts';
export { disk_driver } from './model/block/drivers/disk.ts';
export { HISTORICAL_DRIVERS } from './model/block/drivers/builtin.ts';

// ---- properties ---------------------------------------------------------------------------
export type { Invariant, When, OpContext } from './properties/invariant.ts';
export { INVARIANTS, invariantById } from './properties/registry.ts';
export type { RefState, RefFile, Expected } from './properties/reference/posix.ts';
export { refInit, refStep, compare } from './properties/reference/posix.ts';
export type { Sym, Cmd } from './properties/arbitraries.ts';
export { commandsArb, cmdArb, symArb, resolve } from './properties/arbitraries.ts';
export type { SuiteSystem } from './properties/suites/reference.ts';
export { REFERENCE_SUITE } from './properties/suites/reference.ts';

// ---- the checker --------------------------------------------------------------------------
export type { System } from './checker/system.ts';
export { makeSystem, initOf } from './checker/system.ts';
export type { Violation, Counters, GroupResult } from './checker/execute.ts';
export { runGroup, newCounters } from './checker/execute.ts';
export type { ExecutedStep, SequenceResult } from './checker/sequence.ts';
export { runCommands, runSteps } from './checker/sequence.ts';
export type { CheckOptions, CheckReport, Counterexample } from './checker/check.ts';
export { check, checkAsync } from './checker/check.ts';
export type { ParsedTrace, TraceStep, ExpectedObs } from './checker/trace.ts';
export { parseTrace, Trace, TRACE_SCHEMA, TraceError } from './checker/trace.ts';
export type { ReplayResult } from './checker/replay.ts';
export { replayTrace } from './checker/replay.ts';
export { describeCall, describeObs } from './checker/describe.ts';
export { counterexampleTrace } from './checker/write-trace.ts';
