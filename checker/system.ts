import type { Config, ConfigInput } from '../model/config.ts';
import type { Ctx } from '../model/kernel/step.ts';
import type { Variant } from '../model/kernel/variant.ts';
import { program } from '../model/actions.ts';
import { initialState } from '../model/init.ts';
import type { State } from '../model/state.ts';
import { Config as ConfigSchema } from '../model/config.ts';

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

export function initOf(sys: System): State {
  return initialState(sys.config, sys.ctx);
}
