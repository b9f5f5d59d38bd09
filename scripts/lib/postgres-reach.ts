// As root, the embedded PostgreSQL runs as the `postgres` system user: that
// user must be able to enter every folder above its binaries and its data.
// A clone in a private (0700) folder such as /root fails deep inside initdb
// with EACCES; this check says so up front, in one line, with what to do.
import { statSync } from "node:fs";
import path from "node:path";

export type Account = { uid: number; gid: number };

/** The first folder on the way to `target` that `account` may not enter, or null. */
export function firstBlockedFolder(target: string, account: Account): string | null {
  let dir = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of chain) {
    let stat;
    try {
      stat = statSync(folder);
    } catch {
      // Folders that do not exist yet are created by us, with a mode it can enter.
      return null;
    }
    if (!stat.isDirectory()) continue;
    const mode = stat.mode;
    const canEnter =
      account.uid === 0 ||
      (stat.uid === account.uid
        ? (mode & 0o100) !== 0
        : stat.gid === account.gid
          ? (mode & 0o010) !== 0
          : (mode & 0o001) !== 0);
    if (!canEnter) return folder;
  }
  return null;
}

/** One line for an operator when the `postgres` user cannot reach what it needs. */
export function unreachableMessage(blocked: string, needed: string): string {
  const mode = (statSync(blocked).mode & 0o777).toString(8).padStart(3, "0");
  return (
    `the embedded PostgreSQL runs as the 'postgres' user when started by root, and that user cannot enter ${blocked} ` +
    `(mode ${mode}) on the way to ${needed}: run npm start as a normal user, clone the project outside private folders, ` +
    `or set DATABASE_URL to a PostgreSQL server.`
  );
}
