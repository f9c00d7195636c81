import type { Metadata } from "next";
import Link from "next/link";
import { LabWorkbench } from "@/components/lab/lab-workbench";
import { defaultLabScript, scriptOf } from "@/components/lab/workload-script";
import { loadDemo } from "@/lib/demos/load-demos";

export const metadata: Metadata = {
  title: "Lab",
  description:
    "Write your own workload and the sandbox's limits, then run it on the runtimes you choose, side by side.",
};

interface LabPageProps {
  searchParams: Promise<{ demo?: string | string[] }>;
}

export default async function LabPage({ searchParams }: LabPageProps) {
  const { demo: slug } = await searchParams;
  const demo = typeof slug === "string" ? loadDemo(slug) : null;
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-4xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink sm:text-4xl">Lab</h1>
        <p className="mt-2 text-lg text-ink">
          Write the workload yourself: a shell script and the limits of the sandbox it runs in. The
          host checks them against its own bounds, then runs the script in each runtime you choose,
          side by side.
        </p>
        {demo && (
          <p className="mt-2 text-muted" data-testid="lab-source">
            Opened from the demo{" "}
            <Link href={`/demos/${demo.slug}`} className="underline underline-offset-2">
              {demo.title}
            </Link>
            {demo.workload.image !== "busybox" && (
              <>; it runs in the {demo.workload.image} image, the lab in busybox</>
            )}
            .
          </p>
        )}
        {typeof slug === "string" && !demo && (
          <p className="mt-2 text-muted" role="status">
            There is no demo named “{slug}”; the lab opened with its own example.
          </p>
        )}
      </div>
      <LabWorkbench
        initialScript={demo ? scriptOf(demo.workload.command) : defaultLabScript}
        initialTimeoutMs={demo?.workload.timeoutMs}
        defaultRuntimes={demo?.runtimes ?? ["runc", "gvisor"]}
      />
    </div>
  );
}
