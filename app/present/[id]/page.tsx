import type { Metadata } from "next";
import { PresenterView } from "@/components/presenter/presenter-view";
import { toPresentedDemo } from "@/components/presenter/presented-demo";
import { loadDemos } from "@/lib/demos/load-demos";

export const metadata: Metadata = { title: "Presenting" };

export default async function PresentationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PresenterView id={id} demos={loadDemos().map(toPresentedDemo)} />;
}
