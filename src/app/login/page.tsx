import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getRequestPrincipal } from "~/trpc/server";
import { safeNextPath } from "../safe-next-path";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getRequestPrincipal()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold tracking-tight">
          xmonitor <span className="text-slate-500">ops</span>
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          Sign in with an API key. Readers see everything read-only; admins also manage keys.
        </p>
        {params.signedOut ? (
          <p role="status" className="mt-4 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
            You are signed out.
          </p>
        ) : null}
        <LoginForm next={next} />
        <p className="mt-4 text-xs text-slate-500">
          No key? An admin creates one with{" "}
          <code className="font-mono">npm run keys -- create --name you --role reader</code>. The session lasts 12
          hours.
        </p>
      </div>
    </main>
  );
}
