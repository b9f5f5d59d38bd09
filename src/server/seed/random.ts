import { randomFromState, type Random } from "~/shared/random";

/** Demo data and test fixtures: the numeric seed is the generator's state. */
export function createRandom(seed: number): Random {
  return randomFromState(seed);
}
export type { Random };
