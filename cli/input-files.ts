import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Config, fsConfigs, mountOfPath, pathIn } from '../model/config.ts';
import { generatedName } from '../properties/arbitraries.ts';
import { ConfigError } from '../model/init.ts';
import { variantByName } from '../model/variants.ts';
import { duplicateKey } from '../checker/json-keys.ts';
import { quote } from '../checker/quote.ts';
import { firstIssue, parseTrace, TraceError, type ParsedTrace } from '../checker/trace.ts';
import { initOf, makeSystem } from '../checker/system.ts';
import type { SuiteSystem } from '../properties/suites/reference.ts';
import { UsageError } from './usage.ts';

/**
 * The files a user hands the CLI: a trace, or a system's config. Whatever is wrong with one is
 * a UsageError of one line naming the file and the place in it.
 */
export function readJson(file: string): unknown {
  let raw: string;
  try { raw = readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${quote(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let json: unknown;
  try { json = JSON.parse(raw); } catch (e) { throw new UsageError(`${quote(file)}: not JSON (${(e as Error).message})`); }
  const dup = duplicateKey(raw);
  if (dup) throw new UsageError(`${quote(file)}: line ${dup.line}: the key ${quote(dup.key)} appears twice in one object, and JSON would silently keep the last; remove one`);
  return json;
}

export function loadTrace(file: string): ParsedTrace {
  const json = readJson(file);
  try { return parseTrace(json); } catch (e) {
    if (e instanceof TraceError) throw new UsageError(`${quote(file)}: ${e.message}`);
    throw e;
  }
}

/** The generated runs open files by these names (properties/arbitraries.ts: `f${k}`, k < files). */
const GENERATED_FILES = 3;

/**
 * `check --system FILE`: a user's machine (model/config.ts, the schema every trace's `config`
 * follows) as the one system `check` runs, with the reference suite's generator bounds. The
 * config is tried on the model before the run (fs.device names a device, the files fit, the
 * mount succeeds), so a mistake is reported now, not as a crash of the first run.
 */
function orList(xs: readonly string[]): string {
  return xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs.join('');
}

export function loadSystem(file: string): { system: SuiteSystem; notes: string[] } {
  const json = readJson(file);
  const c = Config.safeParse(json);
  if (!c.success) throw new UsageError(`${quote(file)}: ${firstIssue(c.error, '')} (the format is model/config.ts's Config, as in a trace's "config")`);
  try { initOf(makeSystem('system', c.data, variantByName('reference')!)); } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${quote(file)}: ${e.message}`);
    throw e;
  }
  const n = fsConfigs(c.data).length;
  const names = Array.from({ length: GENERATED_FILES * n }, (_, k) => generatedName(c.data, k));
  const notes = fsConfigs(c.data).flatMap((fsc, k) => fsc.files.map((f) => pathIn(c.data, k, f.name))).filter((f) => !names.includes(f)).map((f) => `the generated runs open files named ${names.join(', ')}; ${quote(f)} is read only by the final reads (name it ${orList(names.filter((x) => mountOfPath(c.data, x)?.fs === mountOfPath(c.data, f)?.fs))} for the runs to use it)`);
  const name = basename(file).replace(/\.json$/i, '') || 'system';
  return {
    system: { name, description: `the config in ${file}`, config: c.data, files: GENERATED_FILES * n, maxLen: 10 },
    notes,
  };
}
