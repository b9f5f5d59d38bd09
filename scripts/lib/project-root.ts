import path from "node:path";

/** The checkout this code runs from (scripts/lib is two levels down). */
export const projectRoot = path.resolve(import.meta.dirname, "../..");
