import { parentPort, workerData } from 'node:worker_threads';
import { exploreSome } from './family-run.ts';

const { options, indices, deadline, maxStates } = workerData;
parentPort!.postMessage(exploreSome(options, indices, deadline, maxStates));
