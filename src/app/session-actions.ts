"use server";
// Console sign-in and sign-out as server actions: Next checks that a server
// action's Origin matches the host, and only a server action or a route
// handler may set cookies.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "~/server/db";
import { AppError } from "~/server/errors";
import { createConsoleSession, deleteConsoleSession, SESSION_COOKIE } from "~/server/auth/sessions";
import { safeNextPath } from "./safe-next-path";

export type SignInState = { error: string | null };

async function isHttps(): Promise<boolean> {
  const h = await headers();
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return proto === "https";
}

export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const raw = form.get("apiKey");
  const apiKey = typeof raw === "string" ? raw.trim() : "";
  const next = safeNextPath(form.get("next"));
  if (!apiKey)
    return { error: "Enter an API key: create one with `npm run keys -- create --name <you> --role reader`." };
  let session;
  try {
    session = await createConsoleSession(getDb(), { apiKey });
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHORIZED") return { error: error.message };
    throw error;
  }
  (await cookies()).set(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await isHttps(),
    path: "/",
    expires: session.expiresAt,
  });
  redirect(next);
}

export async function signOut(): Promise<void> {
  const store = await cookies();
  const token = store.get(SESSION_COOKIE)?.value;
  if (token) await deleteConsoleSession(getDb(), { token });
  store.delete(SESSION_COOKIE);
  redirect("/login?signedOut=1");
}
