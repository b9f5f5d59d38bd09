import { afterEach, describe, expect, it, vi } from "vitest";
import { isKnownTimezone } from "./timezone";

afterEach(() => vi.restoreAllMocks());

describe("isKnownTimezone", () => {
  it("knows canonical zones from the list alone, without building a date formatter (ICU's data stays unloaded)", () => {
    const formatter = vi.spyOn(Intl, "DateTimeFormat");
    for (const zone of ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"])
      expect(isKnownTimezone(zone), zone).toBe(true);
    expect(formatter).not.toHaveBeenCalled();
  });

  it("asks the formatter about names the list lacks: aliases are known, anything else is not", () => {
    const formatter = vi.spyOn(Intl, "DateTimeFormat");
    for (const alias of ["UTC", "Etc/UTC", "US/Eastern", "GMT"]) expect(isKnownTimezone(alias), alias).toBe(true);
    for (const wrong of ["Mars/Olympus", "Eastern", "", "America/New York"])
      expect(isKnownTimezone(wrong), wrong).toBe(false);
    expect(formatter).toHaveBeenCalled();
  });
});
