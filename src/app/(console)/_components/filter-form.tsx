import Link from "next/link";
import type { ReactNode } from "react";

export const inputClass =
  "mt-0.5 block w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-600/30";

/** A GET form: filters live in the URL, so a filtered view can be shared and works without JavaScript. */
export function FilterForm({
  action,
  label,
  children,
  resetHref,
}: {
  action: string;
  label: string;
  children: ReactNode;
  resetHref: string;
}) {
  return (
    <form
      action={action}
      method="get"
      role="search"
      aria-label={label}
      className="flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white p-3"
    >
      {children}
      <div className="flex gap-2">
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-2"
        >
          Apply
        </button>
        <Link href={resetHref} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
          Reset
        </Link>
      </div>
    </form>
  );
}

export function Field({
  label,
  htmlFor,
  children,
  className = "w-40",
}: {
  label: string;
  htmlFor: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={htmlFor} className="block text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
    </div>
  );
}

export function Select({
  id,
  name,
  value,
  options,
  anyLabel,
}: {
  id: string;
  name: string;
  value: string | undefined;
  options: readonly string[];
  anyLabel: string;
}) {
  return (
    <select id={id} name={name} defaultValue={value ?? ""} className={inputClass}>
      <option value="">{anyLabel}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}
