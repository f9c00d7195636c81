// Validates every demo folder and demos/tracks.md; a malformed one fails with its file and field named.
import { loadTracks } from "../lib/demos/load-tracks";

const tracks = loadTracks();
const demos = tracks.flatMap((t) => t.demos);
console.log(`demos: ${demos.length} valid (${demos.map((d) => d.slug).join(", ")})`);
console.log(
  `tracks: ${tracks.map((t) => `${t.title} (${t.demos.length} ${t.demos.length === 1 ? "demo" : "demos"})`).join(", ")}`,
);
