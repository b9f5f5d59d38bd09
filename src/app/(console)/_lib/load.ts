import "server-only";
// Server components call procedures through the server-side caller. Errors
// become values, so a page can show the server's own message (production
// builds hide thrown server errors behind a digest), and an ended session
// goes back to the sign-in page.
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ZodSafeParseResult } from "zod";
import { summariseZodError } from "~/shared/zod-errors";
import { serverCaller } from "~/trpc/server";

export type Loaded<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

type Caller = Awaited<ReturnType<typeof serverCaller>>;

export async function load<T>(fn: (caller: Caller) => Promise<T>): Promise<Loaded<T>> {
  let outcome: Loaded<T>;
  try {
    outcome = { ok: true, data: await fn(await serverCaller()) };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    outcome = { ok: false, code: error.code, message: error.message };
  }
  if (!outcome.ok && outcome.code === "UNAUTHORIZED") await redirectToLogin();
  return outcome;
}

/** `load` for filters read from the query string: invalid ones are the page's error, with the field named. */
export async function loadParsed<I, T>(
  parsed: ZodSafeParseResult<I>,
  fn: (caller: Caller, input: I) => Promise<T>,
): Promise<Loaded<T>> {
  if (!parsed.success) return { ok: false, code: "BAD_REQUEST", message: summariseZodError(parsed.error) };
  const input = parsed.data;
  return load((caller) => fn(caller, input));
}

export async function redirectToLogin(): Promise<never> {
  const path = (await headers()).get("x-xmonitor-path");
  redirect(path && path !== "/" ? `/login?next=${encodeURIComponent(path)}` : "/login");
}

/** One query-string value (the first when repeated), trimmed; undefined when empty. */
export function param(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const raw = params[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

/** `<input type="datetime-local">` sends "2026-11-28T10:00" without a zone: the console's inputs are UTC. */
export function utcInputToIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value);
  if (m) return `${m[1]}T${m[2]}${m[3] ?? ":00"}Z`;
  return value;
}
