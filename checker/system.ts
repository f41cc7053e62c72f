import type { Config, ConfigInput } from '../model/config.ts';
import type { Ctx } from '../model/kernel/step.ts';
import type { Variant } from '../model/kernel/variant.ts';
import { program } from '../model/actions.ts';
import { ConfigError, initialState } from '../model/init.ts';
import { variantByName } from '../model/variants.ts';
import type { State } from '../model/state.ts';
import { Config as ConfigSchema } from '../model/config.ts';
import { tablesGeneration } from '../model/kernel/generation.ts';

/** A model instance to check: a config, a design variant, and the programs that implement calls. */
export interface System {
  readonly name: string;
  readonly config: Config;
  readonly ctx: Ctx;
  readonly program: typeof program;
}

export function makeSystem(name: string, config: ConfigInput | Config, variant: Variant): System {
  const cfg = ConfigSchema.parse(config);
  return { name, config: cfg, ctx: { variant, pageSize: cfg.pageSize }, program };
}

/**
 * The machine booted: every run of `check` on a system starts here, so it is booted once per
 * system and tables' generation (model/kernel/generation.ts: a plug-in installed since boots
 * another machine) and shared, the state being immutable. A boot that throws is not kept.
 */
export function initOf(sys: System): State {
  const gen = tablesGeneration();
  const kept = booted.get(sys);
  if (kept && kept.gen === gen) return kept.state;
  const state = initialState(sys.config, sys.ctx);
  booted.set(sys, { gen, state });
  return state;
}

const booted = new WeakMap<System, { readonly gen: number; readonly state: State }>();

/**
 * Why the machine cannot boot on this design although it does on the reference (the mount at
 * boot fails, as XIP on axonram does on 2.6.24's early check), or null. A config the reference
 * cannot boot either is the config's fault: that error is thrown as it is.
 */
export function bootFailure(sys: System): string | null {
  try {
    initOf(sys);
    return null;
  } catch (e) {
    if (!(e instanceof ConfigError) || sys.ctx.variant.name === 'reference') throw e;
    initOf({ ...sys, ctx: { ...sys.ctx, variant: variantByName('reference')! } });
    return bootMessage(e);
  }
}

/** How a boot the reference makes and a design does not is reported (check, run, audit). */
export function bootMessage(e: ConfigError): string {
  return `at boot, on this design: ${e.message}; the reference design boots this machine`;
}
