// Console sign-in sessions. An operator signs in with an API key; the browser
// then holds a random token in an httpOnly cookie and the database holds only
// its SHA-256. A session lasts 12 hours from sign-in (one working shift);
// `last_seen_at` slides with use. Revoking the key ends its sessions at once,
// because every lookup checks the key too.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db";
import { AppError } from "../errors";
import type { Principal } from "./principal";
import { authenticateApiKey } from "./api-keys";

export const SESSION_COOKIE = "xm_session";
/**
 * The name over https: a `__Host-` cookie must be Secure, have Path=/ and no
 * Domain, so no subdomain or plain-http page can set or shadow it.
 */
export const SECURE_SESSION_COOKIE = "__Host-xm_session";

/** The session token from a Cookie header, under either name. */
export function readSessionToken(header: string | null | undefined): string | null {
  return readCookie(header, SECURE_SESSION_COOKIE) ?? readCookie(header, SESSION_COOKIE);
}
export const SESSION_TTL_MS = 12 * 3600_000;
const LAST_SEEN_RESOLUTION_MS = 60_000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * The console is for people: reader and admin keys. An ingest key lives on a
 * collector machine; if it leaks, it must not open a browser session that
 * reads everything.
 */
function mayUseConsole(role: Principal["role"]): boolean {
  return role === "reader" || role === "admin";
}

const INGEST_KEY_IN_CONSOLE =
  "Ingest keys are for collectors and cannot sign in to the console: sign in with a reader or admin key (npm run keys -- create --name <you> --role reader).";

export type CreatedSession = { token: string; expiresAt: Date; principal: Principal };

/** Checks the key and opens a session for it; refuses unknown and revoked keys with the reason. */
export async function createConsoleSession(db: Db, options: { apiKey: string; now?: Date }): Promise<CreatedSession> {
  const apiKey = options.apiKey.trim();
  // Whatever was pasted, answer about keys, not about Authorization headers.
  if (!/^\S+$/.test(apiKey))
    throw new AppError(
      "UNAUTHORIZED",
      "That is not an API key: paste the whole key (it starts with xmk_ and has no spaces).",
    );
  const auth = await authenticateApiKey(db, `Bearer ${apiKey}`);
  if (!auth?.principal || !auth.principal.apiKeyId) {
    throw new AppError("UNAUTHORIZED", auth && !auth.principal ? auth.error : "Invalid API key.");
  }
  if (!mayUseConsole(auth.principal.role)) throw new AppError("FORBIDDEN", INGEST_KEY_IN_CONSOLE);
  const now = options.now ?? new Date();
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.consoleSession.create({
    data: {
      tokenHash: hashToken(token),
      apiKeyId: auth.principal.apiKeyId,
      createdAt: now,
      expiresAt,
      lastSeenAt: now,
    },
  });
  // Expired rows are useless; trimming them at sign-in keeps the table small without a job.
  await db.consoleSession.deleteMany({ where: { expiresAt: { lt: now } } });
  return { token, expiresAt, principal: auth.principal };
}

/** The principal behind a session token, or null when the token is unknown, expired or its key revoked. */
export async function resolveConsoleSession(db: Db, options: { token: string; now?: Date }): Promise<Principal | null> {
  if (!TOKEN_PATTERN.test(options.token)) return null;
  const now = options.now ?? new Date();
  const session = await db.consoleSession.findUnique({
    where: { tokenHash: hashToken(options.token) },
    select: {
      id: true,
      expiresAt: true,
      lastSeenAt: true,
      apiKey: { select: { id: true, name: true, role: true, keyPrefix: true, revokedAt: true, collector: true } },
    },
  });
  if (!session || session.expiresAt <= now || session.apiKey.revokedAt) return null;
  // A session an ingest key opened before console sign-in was refused to it ends here.
  if (!mayUseConsole(session.apiKey.role)) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    // The key is in use through the console: its "last used" in the key list should say so.
    await Promise.all([
      db.consoleSession.update({ where: { id: session.id }, data: { lastSeenAt: now } }),
      db.apiKey.update({ where: { id: session.apiKey.id }, data: { lastUsedAt: now } }),
    ]);
  }
  const key = session.apiKey;
  return {
    kind: "api-key",
    apiKeyId: key.id,
    keyPrefix: key.keyPrefix,
    name: key.name,
    role: key.role,
    collector: key.collector,
  };
}

/** Signs out: the token stops working even if the browser keeps the cookie. */
export async function deleteConsoleSession(db: Db, options: { token: string }): Promise<void> {
  if (!TOKEN_PATTERN.test(options.token)) return;
  await db.consoleSession.deleteMany({ where: { tokenHash: hashToken(options.token) } });
}

/** The value of one cookie in a `Cookie` header. */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return null;
      }
    }
  }
  return null;
}
