"use server";
// Console sign-in and sign-out as server actions: Next checks that a server
// action's Origin matches the host, and only a server action or a route
// handler may set cookies.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { env } from "~/env";
import { getDb } from "~/server/db";
import { AppError } from "~/server/errors";
import {
  createConsoleSession,
  deleteConsoleSession,
  readSessionToken,
  SECURE_SESSION_COOKIE,
  SESSION_COOKIE,
} from "~/server/auth/sessions";
import { assertSignInAllowed, clientAddress, recordFailedSignIn } from "~/server/auth/sign-in-limit";
import { sessionCookieIsSecure } from "./session-cookie";
import { safeNextPath } from "./safe-next-path";

export type SignInState = { error: string | null };

export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const raw = form.get("apiKey");
  const apiKey = typeof raw === "string" ? raw.trim() : "";
  const next = safeNextPath(form.get("next"));
  if (!apiKey)
    return { error: "Enter an API key: create one with `npm run keys -- create --name <you> --role reader`." };
  const requestHeaders = await headers();
  const db = getDb();
  const limit = {
    client: clientAddress(requestHeaders, env().TRUSTED_PROXY_HOPS),
    limitPerMinute: env().SIGN_IN_FAILURES_PER_MINUTE,
  };
  let session;
  try {
    await assertSignInAllowed(db, limit);
    session = await createConsoleSession(db, { apiKey });
  } catch (error) {
    if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") return { error: error.message };
    // A real key that may not use the console (an ingest key): say so; it is not a guess to count.
    if (error instanceof AppError && error.code === "FORBIDDEN") return { error: error.message };
    if (error instanceof AppError && error.code === "UNAUTHORIZED") {
      try {
        await recordFailedSignIn(db, limit);
      } catch (limited) {
        if (limited instanceof AppError) return { error: limited.message };
        throw limited;
      }
      return { error: error.message };
    }
    throw error;
  }
  const secure = sessionCookieIsSecure(requestHeaders, env().SESSION_COOKIE_SECURE);
  (await cookies()).set(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    expires: session.expiresAt,
  });
  redirect(next);
}

export async function signOut(): Promise<void> {
  const store = await cookies();
  const token = readSessionToken((await headers()).get("cookie"));
  if (token) await deleteConsoleSession(getDb(), { token });
  store.delete(SESSION_COOKIE);
  store.delete({ name: SECURE_SESSION_COOKIE, path: "/", secure: true });
  redirect("/login?signedOut=1");
}
