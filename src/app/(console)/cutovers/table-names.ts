// The cutover's steps key tables by whichever name they know (SQLite names
// in the export and validate, server names in the import, catalog names in
// the spot check): one label and one order for all three, from the catalog.
import { syncTableNames, tableCatalog } from "~/shared/table-catalog";
import { tableLabel } from "../_lib/format";

const catalogNameOf = new Map<string, string>(
  syncTableNames.flatMap((t) => [
    [t, t],
    [tableCatalog[t].sqlite, t],
    [tableCatalog[t].server, t],
  ]),
);

export function catalogTableLabel(name: string): string {
  const table = catalogNameOf.get(name);
  return table ? tableLabel(table) : name;
}

/** Entries of a map keyed by any of a table's names, in the catalog's order (unknown names last). */
export function inCatalogOrder<T>(map: Record<string, T>): [string, T][] {
  const rank = (name: string) => {
    const table = catalogNameOf.get(name);
    return table ? syncTableNames.indexOf(table as (typeof syncTableNames)[number]) : syncTableNames.length;
  };
  return Object.entries(map).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
