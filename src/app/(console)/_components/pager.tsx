import Link from "next/link";

/**
 * Cursor pagination in the URL: `cursor` is where this page starts, `back`
 * the cursors of the pages before it, so "Newer" works without counting.
 */
export function Pager({
  basePath,
  params,
  nextCursor,
  label,
}: {
  basePath: string;
  params: URLSearchParams;
  nextCursor: string | null;
  label: string;
}) {
  const back = params.getAll("back");
  const cursor = params.get("cursor");
  const page = back.length + (cursor ? 2 : 1);
  const withCursor = (next: string | null, nextBack: string[]) => {
    const p = new URLSearchParams(params);
    p.delete("cursor");
    p.delete("back");
    if (next) p.set("cursor", next);
    for (const b of nextBack) p.append("back", b);
    const qs = p.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const newer = cursor ? withCursor(back.at(-1) ?? null, back.slice(0, -1)) : null;
  const older = nextCursor ? withCursor(nextCursor, cursor ? [...back, cursor] : back) : null;
  const link =
    "rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600";
  const disabled = "rounded border border-slate-200 px-3 py-1 text-slate-400";
  return (
    <nav aria-label={`${label} pages`} className="flex items-center justify-between gap-2 text-sm">
      <span className="text-slate-600" data-testid="page-number">
        Page {page}
      </span>
      <span className="flex gap-2">
        {cursor ? (
          <Link href={withCursor(null, [])} className={link}>
            First
          </Link>
        ) : null}
        {newer ? (
          <Link href={newer} className={link} rel="prev">
            ← Newer
          </Link>
        ) : (
          <span className={disabled} aria-disabled="true">
            ← Newer
          </span>
        )}
        {older ? (
          <Link href={older} className={link} rel="next">
            Older →
          </Link>
        ) : (
          <span className={disabled} aria-disabled="true">
            Older →
          </span>
        )}
      </span>
    </nav>
  );
}

export function toSearchParams(params: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) p.append(key, v);
  }
  return p;
}
