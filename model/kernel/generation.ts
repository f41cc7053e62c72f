/**
 * A number that changes whenever what a config name resolves to may have changed: a driver or
 * file system registered, removed or substituted (an audit installing a plug-in), the plug-in
 * guard switched. A cache of anything computed through those tables (the explorer's set-ups)
 * keys on it, so that a long-lived process auditing one plug-in after another never reuses
 * what another plug-in computed.
 */
let generation = 0;

export function tablesChanged(): void {
  generation++;
}

export function tablesGeneration(): number {
  return generation;
}
