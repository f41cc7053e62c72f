#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader: no build step, so `npx xipcheck`
// works right after `npm ci` in a fresh clone.
import { register } from 'tsx/esm/api';

// stdout may be a pipe its reader closed (`| head`) or a full device. A closed pipe is the
// reader's choice: exit quietly with the verdict. Anything else is one line on stderr and
// exit code bit 4 (output failed), never Node's unhandled-'error' stack trace.
let code = null;
let outFailed = false;
let failBit = 0;
process.stderr.on('error', () => {});
process.stdout.on('error', (e) => {
  if (outFailed) return;
  outFailed = true;
  if (e.code !== 'EPIPE') failBit = 4;
  if (e.code !== 'EPIPE') process.stderr.write(`xipcheck: cannot write to stdout (${e.code ?? e.message})\n`);
  if (code !== null) process.exit(code < 128 ? code | failBit : code);
});

register();
const { main } = await import('../cli/main.ts');
code = await main(process.argv.slice(2));
process.exitCode = code < 128 ? code | failBit : code;
