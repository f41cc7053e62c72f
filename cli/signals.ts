/** Exit codes of a run stopped by a signal: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

type Out = { write(s: string): void };

/**
 * SIGINT and SIGTERM during a long command (check, explore). The first asks the run to stop
 * and report what it found so far (a counterexample, even unshrunk, and its trace); a second
 * one quits at once. The handlers exist only while the run does, so every other command keeps
 * Node's default (die at once).
 */
export function interruptible(stderr: Out): { readonly signal: () => 'SIGINT' | 'SIGTERM' | null; dispose(): void } {
  let got: 'SIGINT' | 'SIGTERM' | null = null;
  const on = (sig: 'SIGINT' | 'SIGTERM') => () => {
    if (got) process.exit(SIGNAL_EXIT[sig]);
    got = sig;
    stderr.write(`xipcheck: ${sig}: stopping, the report of what was found so far follows (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again quits at once)\n`);
  };
  const int = on('SIGINT'), term = on('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return {
    signal: () => got,
    dispose: () => { process.off('SIGINT', int); process.off('SIGTERM', term); },
  };
}
