import { Skeleton, TableSkeleton } from "./states";

/** What a list page shows while its query runs: the header, the filter bar and the table's shape. */
export function ListSkeleton() {
  return (
    <div className="space-y-4" role="status" aria-label="Loading">
      <Skeleton className="h-7 w-40" />
      <Skeleton className="h-16 w-full" />
      <TableSkeleton rows={12} />
    </div>
  );
}
