import type { Metadata } from "next";
import { JoinWorkshopForm } from "@/components/workshop/join-workshop-form";

export const metadata: Metadata = { title: "Join a workshop" };

interface JoinPageProps {
  searchParams: Promise<{ code?: string | string[] }>;
}

export default async function JoinWorkshopPage({ searchParams }: JoinPageProps) {
  const { code } = await searchParams;
  return (
    <div className="flex max-w-xl flex-col gap-6">
      <h1 className="text-3xl font-bold tracking-tight text-ink">Join a workshop</h1>
      <JoinWorkshopForm initialCode={typeof code === "string" ? code.slice(0, 32) : ""} />
    </div>
  );
}
