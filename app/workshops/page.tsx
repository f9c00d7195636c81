import type { Metadata } from "next";
import Link from "next/link";
import { CreateWorkshopForm } from "@/components/workshop/create-workshop-form";
import { FacilitatedWorkshopList } from "@/components/workshop/facilitated-workshop-list";

export const metadata: Metadata = { title: "Workshops" };

export default function WorkshopsPage() {
  return (
    <div className="flex flex-col gap-6">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink">Workshops</h1>
        <p className="mt-2 text-lg text-ink">
          A facilitator creates a workshop and shares its join code; each attendee gets their own
          sandboxes within the workshop&apos;s quotas, and the facilitator watches and steers from a
          dashboard. Attending one?{" "}
          <Link href="/workshops/join" className="font-semibold text-accent underline">
            Join with a code
          </Link>
          .
        </p>
      </div>
      <FacilitatedWorkshopList />
      <div className="max-w-3xl">
        <CreateWorkshopForm />
      </div>
    </div>
  );
}
