"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const links = [
  { href: "/", label: "Overview" },
  { href: "/runs", label: "Runs" },
  { href: "/health", label: "Health" },
  { href: "/reconcile", label: "Reconcile" },
  { href: "/posts", label: "Posts" },
  { href: "/cutovers", label: "Cutovers" },
];

export function ConsoleNav({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();
  const all = isAdmin ? [...links, { href: "/settings/keys", label: "API keys" }] : links;
  const active = (href: string) =>
    href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label="Main" className="flex flex-wrap items-center gap-x-1 gap-y-1 text-sm">
      <Link href="/" className="mr-4 font-semibold tracking-tight">
        xmonitor <span className="text-slate-500">ops</span>
      </Link>
      {all.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          aria-current={active(link.href) ? "page" : undefined}
          className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white"
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
