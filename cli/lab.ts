import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_VARIANTS, labDiff, LabFailed, renderReport } from '../checker/lab/session.ts';
import { variantByName } from '../model/variants.ts';
import { quote } from '../checker/quote.ts';
import { intOpt, UsageError } from './usage.ts';

type Out = { write(s: string): void };
type Parse = (args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, positionals?: number) => { values: Record<string, unknown>; positionals: string[] };

export const LAB_HELP = `  xipcheck lab diff [--random N] [--seed N] [--repeat N] [--variant NAME]… [--out DIR] [--reuse DIR]
      boot Debian's Linux under QEMU with ext4 and xfs on emulated pmem, each mounted
      dax=always and dax=never, run the hand-written scenarios and N random ones on every
      mount and on the model, and report every observation that differs (lab/, docs/lab.md);
      exit 1 on a difference no documented row explains`;

export const LAB_OPTIONS = `options:
  --random N        random scenarios from the property suite's arbitraries, 0..5000 (default 300)
  --seed N          their seed (default 1)
  --repeat N        runs of each hand-written concurrent scenario, 1..100 (default 10): each
                    run must be one of the model's interleavings
  --variant NAME    a design of the model to hold the kernel to, repeatable (default both
                    dax-6.1, the successor, and reference, XIP 3.19)
  --out DIR         where the run's stages, logs, observations, trace and report go
                    (default lab/.cache/run)
  --reuse DIR       compare the observations of an earlier run in DIR instead of booting
                    (the scenarios must be the same: same --random, --seed and --repeat)`;

export async function cmdLab(args: string[], stdout: Out, stderr: Out, parse: Parse): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'diff') throw new UsageError(`xipcheck lab takes a subcommand: diff, not ${quote(sub ?? '')} (see xipcheck lab --help)`);
  const { values: v } = parse(rest, { random: { type: 'string' }, repeat: { type: 'string' }, seed: { type: 'string' }, variant: { type: 'string', multiple: true }, out: { type: 'string' }, reuse: { type: 'string' } });
  const variants = (v.variant as string[] | undefined) ?? [...LAB_VARIANTS];
  for (const variant of variants) if (!variantByName(variant)) throw new UsageError(`--variant: unknown variant ${quote(variant)} (xipcheck variants lists them)`);
  const o = {
    random: intOpt(v.random as string | undefined, 'random', 300, 0, 5000),
    seed: intOpt(v.seed as string | undefined, 'seed', 1, 0, 2 ** 31 - 1),
    repeat: intOpt(v.repeat as string | undefined, 'repeat', 10, 1, 100),
    variants,
    out: (v.out as string | undefined) ?? join('lab', '.cache', 'run'),
    reuse: v.reuse as string | undefined,
  };
  let report;
  try {
    report = labDiff(o, (l) => stderr.write(`${l}\n`));
  } catch (e) {
    if (e instanceof LabFailed) { stderr.write(`xipcheck: ${e.message}\n`); return 1; }
    throw e;
  }
  const text = renderReport(report);
  writeFileSync(join(o.reuse ?? o.out, 'diff.md'), text);
  writeFileSync(join(o.reuse ?? o.out, 'diff.json'), JSON.stringify(report, null, 2) + '\n');
  stdout.write(text);
  return report.unexplained ? 1 : 0;
}
