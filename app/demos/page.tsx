import type { Metadata } from "next";
import { DemoList } from "@/components/demo/demo-list";
import { groupByTrack, loadDemos } from "@/lib/demos/load-demos";

export const metadata: Metadata = { title: "Demos" };

export default function DemosPage() {
  const tracks = groupByTrack(loadDemos());
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
