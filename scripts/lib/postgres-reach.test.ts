import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { firstBlockedFolder, unreachableMessage } from "./postgres-reach";

describe("can the postgres user reach a folder", () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function tree() {
    const top = mkdtempSync(path.join(tmpdir(), "xm-reach-"));
    made.push(top);
    const inner = path.join(top, "clone", "node_modules");
    mkdirSync(inner, { recursive: true });
    return { top, inner };
  }
  // Another account than the folders' owner, in another group.
  const stranger = (dir: string) => ({ uid: statSync(dir).uid + 4242, gid: statSync(dir).gid + 4242 });

  it("names the private (0700) folder on the way, with its mode and what to do", () => {
    const { top, inner } = tree();
    chmodSync(top, 0o700);
    expect(firstBlockedFolder(inner, stranger(top))).toBe(top);
    const line = unreachableMessage(top, inner);
    expect(line).toContain(`cannot enter ${top} (mode 700)`);
    expect(line).toContain("DATABASE_URL");
  });

  it("lets through folders others may enter, and the owner's own private folder", () => {
    const { top, inner } = tree();
    chmodSync(top, 0o711);
    expect(firstBlockedFolder(inner, stranger(top))).toBeNull();
    chmodSync(top, 0o700);
    const owner = { uid: statSync(top).uid, gid: statSync(top).gid };
    expect(firstBlockedFolder(inner, owner)).toBeNull();
  });

  it("uses the group bits for an account in the folder's group", () => {
    const { top, inner } = tree();
    const groupMate = { uid: statSync(top).uid + 4242, gid: statSync(top).gid };
    chmodSync(top, 0o710);
    expect(firstBlockedFolder(inner, groupMate)).toBeNull();
    chmodSync(top, 0o701);
    expect(firstBlockedFolder(inner, groupMate)).toBe(top);
  });

  it("stops at folders that do not exist yet (they are created for it)", () => {
    const { top } = tree();
    chmodSync(top, 0o755);
    expect(firstBlockedFolder(path.join(top, "not", "yet"), stranger(top))).toBeNull();
    chmodSync(top, 0o700);
    expect(firstBlockedFolder(path.join(top, "not", "yet"), stranger(top))).toBe(top);
  });
});
