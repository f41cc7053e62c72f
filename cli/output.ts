import { accessSync, constants, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { quote } from '../checker/quote.ts';
import { UsageError } from './usage.ts';

/**
 * Report and trace files. What can be known before a long run is checked before it (a
 * directory, a path under a file, no permission, both options naming one file), so the user
 * does not wait minutes to learn it. What only shows when writing (a full disk, /dev/full)
 * is reported after the run, and the caller prints the report on stdout instead.
 */
export function checkWritable(path: string, flag: string): void {
  const p = resolve(path);
  let st;
  try { st = statSync(p); } catch { st = null; }
  if (st?.isDirectory()) throw new UsageError(`${flag} ${quote(path)} is a directory; give a file name`);
  if (st) {
    try { accessSync(p, constants.W_OK); } catch (e) { throw new UsageError(`${flag} ${quote(path)} cannot be written (${code(e)}); choose another file`); }
    return;
  }
  // the nearest existing ancestor must be a directory we may create entries in
  let dir = dirname(p);
  for (;;) {
    let d;
    try { d = statSync(dir); } catch { d = null; }
    if (d) {
      if (!d.isDirectory()) throw new UsageError(`${flag} ${quote(path)} cannot be created: ${quote(dir)} is a file, not a directory`);
      try { accessSync(dir, constants.W_OK | constants.X_OK); } catch (e) { throw new UsageError(`${flag} ${quote(path)} cannot be created in ${quote(dir)} (${code(e)}); choose another directory`); }
      return;
    }
    if (dirname(dir) === dir) return;
    dir = dirname(dir);
  }
}

/** The two outputs must be different files, or the report would overwrite the trace. */
export function checkDistinct(out: string | undefined, traceOut: string | undefined): void {
  if (!out || !traceOut) return;
  const real = (p: string) => { try { return realpathSync(p); } catch { return resolve(p); } };
  if (real(out) === real(traceOut)) throw new UsageError(`--out and --trace-out name the same file ${quote(out)}: the report would overwrite the trace; give two files`);
}

/** Write a file (creating its directory); the error code on failure, null on success. */
export function tryWrite(path: string, text: string): string | null {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
    return null;
  } catch (e) {
    return code(e);
  }
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
