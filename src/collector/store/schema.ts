// The collector's SQLite DDL is the contract file itself
// (contracts/x_monitor.sqlite.sql, a copy of the shared contract): one
// definition, read when the store module loads. Databases in this shape
// already exist on operators' machines: only add tables or nullable columns,
// never rename or drop (and change the contract first).
import { readFileSync } from "node:fs";
import path from "node:path";

export const SQLITE_CONTRACT_FILE = path.resolve(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "contracts",
  "x_monitor.sqlite.sql",
);

export const SQLITE_SCHEMA = readFileSync(SQLITE_CONTRACT_FILE, "utf8");
