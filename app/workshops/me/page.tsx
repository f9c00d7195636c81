import type { Metadata } from "next";
import { AttendeeHome } from "@/components/workshop/attendee-home";
import { loadTracks } from "@/lib/demos/load-tracks";

export const metadata: Metadata = { title: "Your workshop" };

export default function AttendeePage() {
  const tracks = loadTracks()
    .filter((track) => track.demos.length > 0)
    .map((track) => ({
      title: track.title,
      demos: track.demos.map((demo) => ({ slug: demo.slug, title: demo.title })),
    }));
  return <AttendeeHome tracks={tracks} />;
}
