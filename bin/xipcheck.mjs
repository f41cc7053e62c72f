#!/usr/bin/env node
// Runs the compiled CLI from dist/: no TypeScript loader at start-up, so `--help` answers at
// once. dist/ is built by `prepare`, which `npm ci` runs in a clone; an installed package ships it.
import { existsSync, readdirSync, statSync } from 'node:fs';

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

// In a clone the sources sit beside dist/: a module edited since the last build would make this
// command run older code than the tree shows, and silently. Say so in one line; the run goes on.
// (An installed package ships no sources, so there this finds nothing.)
function editedSinceBuild() {
  const root = new URL('../', import.meta.url);
  if (!existsSync(new URL('index.ts', root))) return null;
  const walk = (rel) => {
    for (const e of readdirSync(new URL(rel, root), { withFileTypes: true })) {
      const js = rel + e.name;
      if (e.isDirectory()) { const hit = walk(`${js}/`); if (hit) return hit; continue; }
      if (!js.endsWith('.js')) continue;
      const ts = js.slice('dist/'.length, -'.js'.length) + '.ts';
      const src = statSync(new URL(ts, root), { throwIfNoEntry: false });
      if (src && src.mtimeMs > statSync(new URL(js, root)).mtimeMs) return ts;
    }
    return null;
  };
  return existsSync(new URL('dist/', root)) ? walk('dist/') : null;
}
const edited = editedSinceBuild();
if (edited) process.stderr.write(`xipcheck: warning: ${edited} changed since dist/ was built, so this runs the older build; \`npm run build\` rebuilds it\n`);

let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (e) {
  // only dist/ itself missing is the user's to fix; anything else is a defect to see in full
  if (e.code !== 'ERR_MODULE_NOT_FOUND' || !/dist[\\/]cli[\\/]main\.js/.test(String(e.message))) throw e;
  process.stderr.write('xipcheck: dist/ (the compiled CLI) is missing; run `npm run build` in xipcheck\'s directory (npm ci runs it)\n');
  process.exit(2);
}
const { main } = cli;
code = await main(process.argv.slice(2));
process.exitCode = code < 128 ? code | failBit : code;
