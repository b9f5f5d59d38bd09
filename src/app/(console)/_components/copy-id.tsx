"use client";
import Link from "next/link";
import { useState } from "react";

/** A small button that copies `value` to the clipboard and says so. */
export function CopyButton({ value, label }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <>
      <button
        type="button"
        onClick={copy}
        aria-label={label ?? `Copy ${value}`}
        className="inline-flex items-center rounded p-0.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
      >
        {copied ? (
          <svg
            aria-hidden="true"
            viewBox="0 0 16 16"
            className="size-3.5 text-emerald-600"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M3 8.5l3 3 7-7" />
          </svg>
        ) : (
          <svg
            aria-hidden="true"
            viewBox="0 0 16 16"
            className="size-3.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
            <path d="M10.5 3.5v-.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h.5" />
          </svg>
        )}
      </button>
      <span className="sr-only" role="status">
        {copied ? "Copied" : ""}
      </span>
    </>
  );
}

/** A monospace identifier with a copy button; optionally a link. */
export function CopyId({ value, href, short }: { value: string; href?: string; short?: number }) {
  const shown = short && value.length > short ? `${value.slice(0, short)}…` : value;
  return (
    <span className="inline-flex items-center gap-1 font-mono text-xs">
      {href ? (
        <Link href={href} className="text-sky-800 underline-offset-2 hover:underline" title={value}>
          {shown}
        </Link>
      ) : (
        <span title={value}>{shown}</span>
      )}
      <CopyButton value={value} />
    </span>
  );
}
