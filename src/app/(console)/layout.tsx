import type { ReactNode } from "react";
import { getRequestPrincipal } from "~/trpc/server";
import { ConsoleNav } from "./_components/console-nav";
import { redirectToLogin } from "./_lib/load";
import { SignOutButton } from "./_components/sign-out-button";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const principal = await getRequestPrincipal();
  if (!principal) return redirectToLogin();
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2">
          <ConsoleNav isAdmin={principal.role === "admin"} />
          <div className="ml-auto flex items-center gap-3 text-xs text-slate-600">
            <span>
              <span className="font-medium text-slate-800" data-testid="signed-in-as">
                {principal.name}
              </span>{" "}
              <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono">{principal.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
