import type { HealthState } from "./collector-health";

/** One collector and mode as the console shows it. */
export type HealthCard = {
  collector: string;
  mode: string;
  state: HealthState;
  consecutiveFailures: number;
  threshold: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
};
