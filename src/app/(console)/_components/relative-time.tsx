"use client";
import { formatDistanceToNowStrict } from "date-fns";

/** "5 min ago", with the absolute UTC time on hover and for screen readers. */
export function RelativeTime({ date }: { date: Date }) {
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={`${iso.replace("T", " ").slice(0, 19)} UTC`} suppressHydrationWarning>
      {formatDistanceToNowStrict(date, { addSuffix: true })}
    </time>
  );
}
