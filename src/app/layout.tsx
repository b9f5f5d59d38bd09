import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "~/trpc/react";
import "./globals.css";

// Every page renders per request, the not-found page included: its scripts carry the request's
// CSP nonce (src/proxy.ts), which a page rendered at build time could not know.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "xmonitor ops", template: "%s · xmonitor ops" },
  description: "Ingest health, runs, reconciliation and cutovers of the X monitoring pipeline",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
