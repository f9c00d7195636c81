import type { Metadata } from "next";
import { FacilitatorDashboard } from "@/components/workshop/facilitator-dashboard";
import { loadDemos } from "@/lib/demos/load-demos";

export const metadata: Metadata = { title: "Workshop dashboard" };

interface DashboardPageProps {
  params: Promise<{ id: string }>;
}

export default async function WorkshopDashboardPage({ params }: DashboardPageProps) {
  const { id } = await params;
  const demos = loadDemos().map((demo) => ({
    slug: demo.slug,
    title: demo.title,
    steps: demo.steps.length,
  }));
  return (
    <div className="flex flex-col gap-6">
      <FacilitatorDashboard id={id} demos={demos} />
    </div>
  );
}
