import type { Metadata } from "next";
import { getRequestPrincipal } from "~/trpc/server";
import { ErrorState, PageHeader } from "../../_components/states";
import { redirectToLogin } from "../../_lib/load";
import { KeysManager } from "./keys-manager";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

export default async function KeysPage() {
  const principal = await getRequestPrincipal();
  if (!principal) return redirectToLogin();
  return (
    <div className="space-y-4">
      <PageHeader title="API keys">
        Revoking a key ends its console sessions and its collector&apos;s access at once.
      </PageHeader>
      {principal.role !== "admin" ? (
        <ErrorState
          title="Admins only"
          message={`Managing API keys needs an admin key; you are signed in with ${principal.keyPrefix}, role ${principal.role}. Ask an admin.`}
        />
      ) : (
        <KeysManager currentPrefix={principal.keyPrefix} />
      )}
    </div>
  );
}
