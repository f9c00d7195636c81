import type { Metadata } from "next";
import { HostStatus } from "@/components/host/host-status";

export const metadata: Metadata = { title: "Host" };

export default function HostPage() {
  return (
    <div className="flex flex-col gap-6">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink">Host</h1>
        <p className="mt-2 text-lg text-ink">
          What this host can run, the limits every sandbox gets, and what is running now. Refreshed
          every 2 seconds.
        </p>
      </div>
      <HostStatus />
    </div>
  );
}
