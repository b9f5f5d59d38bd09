import type { ReactNode } from "react";

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
      <p className="font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-1">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ title, message }: { title: string; message: string }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">{title}</p>
      <p className="mt-1 break-words">{message}</p>
    </div>
  );
}

export function Skeleton({ className = "" }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded bg-slate-200 ${className}`} />;
}

export function TableSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <div role="status" aria-label="Loading" className="space-y-2 rounded-md border border-slate-200 bg-white p-3">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-5 w-full" />
      ))}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      {children ? <div className="text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

export function Section({
  title,
  id,
  children,
  actions,
}: {
  title: string;
  id: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={id} className="text-sm font-semibold text-slate-700">
          {title}
        </h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Dense table shell: horizontal scroll on narrow screens, sticky header. */
export function DataTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export const th = "px-3 py-2 text-xs font-medium whitespace-nowrap text-slate-500";
export const td = "px-3 py-1.5 align-top";
export const tdNum = "px-3 py-1.5 text-right tabular-nums align-top";
/** A body row that highlights on hover. */
export const tr = "border-t border-slate-100 hover:bg-slate-50";

/** A header cell: plain text, or right-aligned for numbers. `false` drops an optional column. */
export type Column = ReactNode | { label: ReactNode; numeric: true } | false | null | undefined;

/** A right-aligned (numeric) column header. */
export function num(label: ReactNode): Column {
  return { label, numeric: true };
}

function isNumeric(column: Column): column is { label: ReactNode; numeric: true } {
  return typeof column === "object" && column !== null && "numeric" in column;
}

/** The column headers of a console table, one definition of their markup. */
export function TableHead({ columns, className = "bg-slate-50" }: { columns: Column[]; className?: string }) {
  return (
    <thead className={className}>
      <tr>
        {columns
          .filter((column) => column !== false && column !== null && column !== undefined)
          .map((column, index) =>
            isNumeric(column) ? (
              <th key={index} scope="col" className={`${th} text-right`}>
                {column.label}
              </th>
            ) : (
              <th key={index} scope="col" className={th}>
                {column}
              </th>
            ),
          )}
      </tr>
    </thead>
  );
}
