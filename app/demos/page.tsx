import type { Metadata } from "next";
import { DemoList } from "@/components/demo/demo-list";
import { loadTracks } from "@/lib/demos/load-tracks";

export const metadata: Metadata = { title: "Demos" };

export default function DemosPage() {
  // Tracks come in the order demos/tracks.md gives; one without demos yet is not listed.
  const tracks = loadTracks().filter((t) => t.demos.length > 0);
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink">Demos</h1>
        <p className="mt-2 text-lg text-ink">
          Each demo runs one workload in several sandboxes at once, so their output and timings can
          be compared.
        </p>
      </div>
      <DemoList tracks={tracks} />
    </div>
  );
}
