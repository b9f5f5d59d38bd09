import Link from "next/link";
import type { ReactNode } from "react";

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <nav aria-label="Main" className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3 text-sm">
          <Link href="/" className="font-semibold tracking-tight">
            xmonitor <span className="text-slate-500">ops</span>
          </Link>
          <Link href="/" className="text-slate-600 hover:text-slate-900">Overview</Link>
        </nav>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
