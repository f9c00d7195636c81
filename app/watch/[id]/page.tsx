import type { Metadata } from "next";
import { AudienceView } from "@/components/presenter/audience-view";
import { toPresentedDemo } from "@/components/presenter/presented-demo";
import { loadDemos } from "@/lib/demos/load-demos";

export const metadata: Metadata = { title: "Following a presentation" };

export default async function WatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AudienceView id={id} demos={loadDemos().map(toPresentedDemo)} />;
}
