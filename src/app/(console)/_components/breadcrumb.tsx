// The trail above a detail page: its list, then the item, so the way back is always one click.
import Link from "next/link";

export function Breadcrumb({
  list,
  href,
  item,
  mono = false,
}: {
  list: string;
  href: string;
  item: string;
  mono?: boolean;
}) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
      <Link href={href} className="hover:underline">
        {list}
      </Link>{" "}
      / <span className={mono ? "font-mono" : undefined}>{item}</span>
    </nav>
  );
}
