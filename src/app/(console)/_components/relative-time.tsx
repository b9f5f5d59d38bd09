"use client";
import { formatDistanceToNowStrict } from "date-fns";
import { useSyncExternalStore } from "react";

const noop = () => () => undefined;
/** False during server rendering and hydration, true afterwards: the operator's zone is only known in the browser. */
function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

export function formatUtc(date: Date): string {
  return `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

function formatLocal(date: Date): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName: spell the fields out.
  return new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  }).format(date);
}

/** "5 minutes ago", with the absolute time in UTC and in the operator's zone on hover and for screen readers. */
export function RelativeTime({ date }: { date: Date }) {
  const client = useIsClient();
  const title = client ? `${formatUtc(date)} · ${formatLocal(date)}` : formatUtc(date);
  return (
    <time dateTime={date.toISOString()} title={title} className="whitespace-nowrap" suppressHydrationWarning>
      {formatDistanceToNowStrict(date, { addSuffix: true })}
    </time>
  );
}

/** Absolute time: UTC first (what logs use), the operator's zone beneath once in the browser, and how long ago. */
export function AbsoluteTime({ date, relative = true }: { date: Date; relative?: boolean }) {
  const client = useIsClient();
  return (
    <span className="inline-flex flex-col leading-tight">
      <time dateTime={date.toISOString()} className="font-mono text-xs whitespace-nowrap">
        {formatUtc(date)}
      </time>
      <span className="text-xs text-slate-500" suppressHydrationWarning>
        {client ? formatLocal(date) : "\u00a0"}
        {relative ? <> · {formatDistanceToNowStrict(date, { addSuffix: true })}</> : null}
      </span>
    </span>
  );
}
