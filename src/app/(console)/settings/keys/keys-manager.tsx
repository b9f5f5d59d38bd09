"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiKeyCreateSchema } from "~/shared/schemas/queries";
import { useTRPC } from "~/trpc/react";
import { CopyButton, CopyId } from "../../_components/copy-id";
import { inputClass } from "../../_components/filter-form";
import { RelativeTime } from "../../_components/relative-time";
import { DataTable, EmptyState, ErrorState, TableSkeleton, td, TableHead } from "../../_components/states";
import { StatusBadge } from "../../_components/status-badge";

const roles = apiKeyCreateSchema.shape.role.options;
const roleHelp = {
  admin: "everything, including keys",
  ingest: "a collector: pushes runs",
  reader: "the console, read-only",
} as const;

export function KeysManager({ currentPrefix }: { currentPrefix: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.keys.list.queryOptions());
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof roles)[number]>("reader");
  const [collector, setCollector] = useState("");
  const [confirming, setConfirming] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() });
  const create = useMutation(trpc.keys.create.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(
    trpc.keys.revoke.mutationOptions({
      onSuccess: () => {
        setConfirming(null);
        return invalidate();
      },
    }),
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const boundTo = role === "ingest" ? collector.trim() : "";
    create.mutate(
      { name: name.trim(), role, ...(boundTo ? { collector: boundTo } : {}) },
      {
        onSuccess: () => {
          setName("");
          setCollector("");
        },
      },
    );
  };

  return (
    <div className="space-y-6">
      <section aria-labelledby="create-heading" className="space-y-3 rounded-md border border-slate-200 bg-white p-4">
        <h2 id="create-heading" className="text-sm font-semibold text-slate-700">
          Create a key
        </h2>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <div className="w-64">
            <label htmlFor="key-name" className="block text-xs font-medium text-slate-600">
              Name (who or what uses it)
            </label>
            <input
              id="key-name"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="ops-laptop collector"
              className={inputClass}
            />
          </div>
          <div className="w-64">
            <label htmlFor="key-role" className="block text-xs font-medium text-slate-600">
              Role
            </label>
            <select
              id="key-role"
              value={role}
              onChange={(e) => setRole(e.target.value as (typeof roles)[number])}
              className={inputClass}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}: {roleHelp[r]}
                </option>
              ))}
            </select>
          </div>
          {role === "ingest" ? (
            <div className="w-64">
              <label htmlFor="key-collector" className="block text-xs font-medium text-slate-600">
                Collector (XMONITOR_COLLECTOR_NAME)
              </label>
              <input
                id="key-collector"
                maxLength={100}
                value={collector}
                onChange={(e) => setCollector(e.target.value)}
                placeholder="empty: any collector"
                aria-describedby="key-collector-help"
                className={inputClass}
              />
              <p id="key-collector-help" className="mt-1 text-xs text-slate-500">
                The key may push and report for this collector only.
              </p>
            </div>
          ) : null}
          <button
            type="submit"
            disabled={create.isPending}
            className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-2 disabled:opacity-60"
          >
            {create.isPending ? "Creating…" : "Create key"}
          </button>
        </form>
        {create.error ? <ErrorState title="Could not create the key" message={create.error.message} /> : null}
        {create.data ? (
          <div
            role="status"
            className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm"
            data-testid="new-key"
          >
            <p className="font-medium text-amber-950">
              Key <span className="font-mono">{create.data.keyPrefix}</span> ({create.data.role}
              {create.data.collector ? `, collector ${create.data.collector}` : ""}) for {create.data.name}: copy it
              now. It is shown once and cannot be recovered.
            </p>
            <div className="flex flex-wrap items-center gap-2 rounded bg-white px-2 py-1.5">
              <code className="font-mono text-xs break-all" data-testid="new-key-value">
                {create.data.key}
              </code>
              <CopyButton value={create.data.key} label="Copy the new key" />
            </div>
            <button
              type="button"
              onClick={() => create.reset()}
              className="rounded border border-amber-400 px-2 py-1 text-xs hover:bg-amber-100"
            >
              I have stored it: hide the key
            </button>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="list-heading" className="space-y-2">
        <h2 id="list-heading" className="text-sm font-semibold text-slate-700">
          Keys
        </h2>
        {revoke.error ? <ErrorState title="Could not revoke the key" message={revoke.error.message} /> : null}
        {keys.isPending ? (
          <TableSkeleton rows={4} />
        ) : !keys.data ? (
          <ErrorState title="Could not list keys" message={keys.error?.message ?? "No data"} />
        ) : keys.data.length === 0 ? (
          <EmptyState title="No keys yet.">
            Create one above; collectors need an ingest key, operators a reader key.
          </EmptyState>
        ) : (
          <DataTable caption="API keys, newest first">
            <TableHead
              columns={[
                "Prefix",
                "Name",
                "Role",
                "Created",
                "Last used",
                "State",
                <span className="sr-only">Actions</span>,
              ]}
            />
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.id} className="border-t border-slate-100" data-testid={`key-row-${key.keyPrefix}`}>
                  <td className={td}>
                    <CopyId value={key.keyPrefix} />
                  </td>
                  <td className={td}>
                    {key.name}
                    {key.keyPrefix === currentPrefix ? (
                      <span className="ml-1 text-xs text-slate-500">(this session)</span>
                    ) : null}
                  </td>
                  <td className={td}>
                    <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{key.role}</span>
                    {key.role === "ingest" ? (
                      <span className="ml-1 text-xs text-slate-600">
                        {key.collector ? `for ${key.collector}` : "for any collector"}
                      </span>
                    ) : null}
                  </td>
                  <td className={td}>
                    <RelativeTime date={key.createdAt} />
                  </td>
                  <td className={td}>
                    {key.lastUsedAt ? (
                      <RelativeTime date={key.lastUsedAt} />
                    ) : (
                      <span className="text-slate-500">never</span>
                    )}
                  </td>
                  <td className={td}>
                    {key.revokedAt ? (
                      <StatusBadge status="revoked" label="revoked" />
                    ) : (
                      <StatusBadge status="active" label="active" />
                    )}
                  </td>
                  <td className={`${td} text-right whitespace-nowrap`}>
                    {key.revokedAt ? null : confirming === key.keyPrefix ? (
                      <span className="inline-flex items-center gap-2">
                        <span className="text-xs text-red-800">Revoke {key.keyPrefix}?</span>
                        <button
                          type="button"
                          disabled={revoke.isPending}
                          onClick={() => revoke.mutate({ prefix: key.keyPrefix })}
                          className="rounded bg-red-700 px-2 py-1 text-xs font-medium text-white hover:bg-red-800 disabled:opacity-60"
                        >
                          Confirm revoke
                        </button>
                        <button
                          type="button"
                          onClick={() => setConfirming(null)}
                          className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
                        >
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        onClick={() => setConfirming(key.keyPrefix)}
                        aria-label={`Revoke ${key.keyPrefix} (${key.name})`}
                        className="rounded border border-red-300 px-2 py-1 text-xs text-red-800 hover:bg-red-50"
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </section>
    </div>
  );
}
