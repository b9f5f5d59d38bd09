// Anomalies: values the contract allows and PostgreSQL stores, but that X
// (or this collector) would never produce: an author id that is not digits,
// a handle with a dot, a negative like count. They are not rejects: the row
// is stored as it is and carries the list of its anomalies (the server's
// `anomalies` column), counted in the ingest result and shown on the post's
// spot-check page (decisions/014). Each rule is defined once, here; the table
// catalog says which columns it applies to.
import { MAX_TIME, MIN_TIME } from "./schemas/primitives";
import { hasNonFinite } from "./schemas/vector";

export type AnomalyRule = {
  /** What is unusual, as the operator reads it after the column's name ("author_id: not an X user id"). */
  readonly message: string;
  /** Whether a (non-null, already validated) value is anomalous. */
  readonly applies: (value: unknown) => boolean;
};

const X_ID = /^[0-9]{1,20}$/;
const X_HANDLE = /^[A-Za-z0-9_]{1,15}$/;
const RUN_MODE = /^[a-z0-9-]{1,32}$/;

const rule = (message: string, applies: (value: unknown) => boolean): AnomalyRule => ({ message, applies });

export const anomalyRules = {
  xUserId: rule("not an X user id (decimal digits)", (v) => typeof v === "string" && !X_ID.test(v)),
  xStatusId: rule("not an X status id (decimal digits)", (v) => typeof v === "string" && !X_ID.test(v)),
  xStatusIds: rule(
    "holds values that are not X status ids (decimal digits)",
    (v) => Array.isArray(v) && v.some((s) => typeof s !== "string" || !X_ID.test(s)),
  ),
  xHandle: rule("not an X handle (1 to 15 letters, digits or _)", (v) => typeof v === "string" && !X_HANDLE.test(v)),
  lowercase: rule(
    "not lowercase (the collector writes handles in lowercase; the console's author filter searches lowercase)",
    (v) => typeof v === "string" && v !== v.toLowerCase(),
  ),
  nonNegative: rule("negative (X never reports a negative count)", (v) => typeof v === "number" && v < 0),
  unitInterval: rule("outside 0..1", (v) => typeof v === "number" && (v < 0 || v > 1)),
  runMode: rule(
    "not a run mode (1 to 32 lowercase letters, digits and dashes)",
    (v) => typeof v === "string" && !RUN_MODE.test(v),
  ),
  finiteVector: rule(
    "holds NaN or infinite values (an embedding model never produces them)",
    (v) => v instanceof Float32Array && hasNonFinite(v),
  ),
  xEra: rule("before 2006 or from 2100 on (outside X's era)", (v) => {
    if (typeof v !== "string") return false;
    const t = Date.parse(v);
    return t < MIN_TIME || t >= MAX_TIME;
  }),
} as const satisfies Record<string, AnomalyRule>;
