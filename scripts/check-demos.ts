// Validates every demo folder against the schema; a malformed one fails with its file and field named.
import { loadDemos } from "../lib/demos/load-demos";

const demos = loadDemos();
console.log(`demos: ${demos.length} valid (${demos.map((d) => d.slug).join(", ")})`);
