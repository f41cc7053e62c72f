import { parentPort, workerData } from 'node:worker_threads';
import { variantByName } from '../../model/variants.ts';
import { explore, type ExploreSpec } from './explore.ts';
import { heapNearlyFull, stopOf } from './limits.ts';

/**
 * A worker explores the scenarios it is sent, one at a time. The coordinator asks it to stop
 * through a shared flag (a signal, the time budget, memory elsewhere); it watches its own heap.
 */
const { variant, symmetry, exactKeys, por, deadline, flag } = workerData as { variant: string; symmetry?: boolean; exactKeys?: boolean; por?: boolean; deadline?: number; flag: Int32Array };
const v = variantByName(variant)!;
const stop = (): 'memory' | 'signal' | null => {
  const why = stopOf(Atomics.load(flag, 0));
  return why === 'memory' || heapNearlyFull() ? 'memory' : why ? 'signal' : null;
};
parentPort!.on('message', (m: { index: number; spec: ExploreSpec; cap?: number }) => {
  const result = explore(m.spec, { variant: v, symmetry, exactKeys, por, deadline, maxStates: m.cap, stop });
  parentPort!.postMessage({ index: m.index, result });
});
