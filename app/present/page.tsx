import type { Metadata } from "next";
import { StartPresentation } from "@/components/presenter/start-presentation";
import { loadTracks } from "@/lib/demos/load-tracks";
import { stepCountOf } from "@/lib/demos/track-steps";

export const metadata: Metadata = { title: "Present" };

export default function PresentPage() {
  const tracks = loadTracks()
    .filter((t) => t.demos.length > 0)
    .map((t) => ({
      slug: t.slug,
      title: t.title,
      summary: t.summary,
      demoTitles: t.demos.map((d) => d.title),
      stepCount: t.demos.reduce((sum, d) => sum + stepCountOf(d), 0),
    }));
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-3xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink">Present a track</h1>
        <p className="mt-2 text-lg text-ink">
          Walk a room through a track on a projector: large type, keyboard control, and a link and
          QR code the audience opens to follow your steps and watch your runs live on their own
          screens.
        </p>
      </div>
      <StartPresentation tracks={tracks} />
    </div>
  );
}
