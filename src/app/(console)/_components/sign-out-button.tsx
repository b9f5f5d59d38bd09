"use client";
import { useQueryClient } from "@tanstack/react-query";
import { signOut } from "../../session-actions";

export function SignOutButton() {
  const queryClient = useQueryClient();
  return (
    // Drop cached data first: the next operator on this browser must not see it.
    <form action={signOut} onSubmit={() => queryClient.clear()}>
      <button
        type="submit"
        className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
      >
        Sign out
      </button>
    </form>
  );
}
