import type { Metadata } from "next";
import { RunTargetProvider } from "@/components/markdown/run-target";
import { PresenterView } from "@/components/presenter/presenter-view";
import { toPresentedDemo } from "@/components/presenter/presented-demo";
import { loadDemos } from "@/lib/demos/load-demos";

export const metadata: Metadata = { title: "Presenting" };

export default async function PresentationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // A step's Run blocks type into the presenter's shell (the audience watches it) while one is open.
  return (
    <RunTargetProvider>
      <PresenterView id={id} demos={loadDemos().map(toPresentedDemo)} />
    </RunTargetProvider>
  );
}
