// One small seeded PRNG (mulberry32) for everything that must be
// reproducible: demo seed, test fixtures, replay files, spot-check samples.
// Math.random cannot give the same sequence on every machine.
import { createHash } from "node:crypto";

export type Random = {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** A version-4-shaped UUID drawn from the sequence. */
  uuid(): string;
};

/** The generator from a 32-bit state. */
export function randomFromState(initialState: number): Random {
  let state = initialState >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError("cannot pick from an empty list");
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}

/** Any seed (a name, a number) hashed to a state: distinct seeds, distinct sequences. */
export function seededRandom(seed: string | number): Random {
  return randomFromState(createHash("sha256").update(String(seed)).digest().readUInt32LE(0));
}
