// The seven mirrored tables as the rest of the code uses them: the catalog's
// names, key, since column and columns (src/shared/table-catalog.ts), each
// with its item schema.
import { syncTableNames, tableCatalog, type SyncTable } from "../table-catalog";
import { itemSchemas } from "./items";

export const syncTables = Object.fromEntries(
  syncTableNames.map((table) => [table, { ...tableCatalog[table], schema: itemSchemas[table] }]),
) as { [T in SyncTable]: (typeof tableCatalog)[T] & { schema: (typeof itemSchemas)[T] } };

export { syncTableNames, type SyncTable };
