// Reads demos/tracks.md (the tracks, in order) and files every demo under the track its frontmatter names.
import fs from "node:fs";
import path from "node:path";
import matter from "gray-matter";
import { defaultDemosDir, describeIssues, loadDemos } from "./load-demos";
import { TracksFileSchema, type Demo, type GuidedTrack, type TrackDefinition } from "./schema";

export const tracksFileName = "tracks.md";

/**
 * Every track with its demos in order. Throws, naming the file and the field, when demos/tracks.md is
 * malformed or a demo names a track that file does not define. Tracks without demos yet are kept.
 */
export function loadTracks(demosDir: string = defaultDemosDir): GuidedTrack[] {
  const definitions = readTrackDefinitions(demosDir);
  const demos = loadDemos(demosDir);
  const byTitle = new Map(definitions.map((t) => [t.title, [] as Demo[]]));
  for (const demo of demos) {
    const list = byTitle.get(demo.track);
    if (!list) {
      const known = definitions.map((t) => `"${t.title}"`).join(", ");
      throw new Error(
        `${path.join(path.basename(demosDir), demo.slug, "index.md")}: track: "${demo.track}" is not defined in ${shownTracksPath(demosDir)} (defined: ${known})`,
      );
    }
    list.push(demo);
  }
  return definitions.map((definition) => ({
    ...definition,
    track: definition.title,
    demos: byTitle.get(definition.title) ?? [],
  }));
}

export function readTrackDefinitions(demosDir: string = defaultDemosDir): TrackDefinition[] {
  const shownPath = shownTracksPath(demosDir);
  let source: string;
  try {
    source = fs.readFileSync(/*turbopackIgnore: true*/ path.join(demosDir, tracksFileName), "utf8");
  } catch (err) {
    throw new Error(`${shownPath}: cannot be read (${(err as Error).message})`, { cause: err });
  }
  let data: unknown;
  try {
    data = matter(source).data;
  } catch (err) {
    throw new Error(`${shownPath}: frontmatter is not valid YAML (${(err as Error).message})`, {
      cause: err,
    });
  }
  const result = TracksFileSchema.safeParse(data);
  if (!result.success) throw new Error(`${shownPath}: ${describeIssues(result.error.issues)}`);
  return result.data.tracks;
}

function shownTracksPath(demosDir: string): string {
  return path.join(path.basename(demosDir), tracksFileName);
}
