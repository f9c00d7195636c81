import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { SiteNav } from "@/components/layout/site-nav";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sandbox Playground", template: "%s · Sandbox Playground" },
  description:
    "Run the same workload in real runc containers, gVisor's user-space kernel and virtual machines, and see every phase timed.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#111827" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-surface focus:px-4 focus:py-2 focus:font-semibold focus:text-ink focus:shadow-lg"
        >
          Skip to content
        </a>
        <header className="border-b border-line bg-surface">
          <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
            <Link href="/" className="text-xl font-bold tracking-tight text-ink">
              Sandbox Playground
            </Link>
            <SiteNav />
          </div>
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto max-w-screen-2xl px-4 py-8 outline-none sm:px-6"
        >
          {children}
        </main>
        <footer className="border-t border-line px-4 py-6 text-center text-sm text-muted sm:px-6">
          Every run is a real sandbox on this host; nothing shown here is simulated.
        </footer>
      </body>
    </html>
  );
}
