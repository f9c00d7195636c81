// Validates every demo folder and demos/tracks.md; a malformed one fails with its file and field named
// (its Markdown too: the loader renders every body, step and notice, and refuses what it cannot show).
import { loadTracks } from "../lib/demos/load-tracks";
import type { MarkdownNode } from "../lib/demos/markdown-tree";

const tracks = loadTracks();
const demos = tracks.flatMap((t) => t.demos);
console.log(`demos: ${demos.length} valid (${demos.map((d) => d.slug).join(", ")})`);
console.log(
  `tracks: ${tracks.map((t) => `${t.title} (${t.demos.length} ${t.demos.length === 1 ? "demo" : "demos"})`).join(", ")}`,
);
const trees = demos.flatMap((d) => [d.rendered.body, ...d.rendered.steps.map((s) => s.body)]);
const runBlocks = trees.reduce((sum, nodes) => sum + countRunBlocks(nodes), 0);
console.log(`markdown: ${trees.length} bodies rendered, ${runBlocks} run blocks`);

function countRunBlocks(nodes: MarkdownNode[]): number {
  return nodes.reduce((sum, node) => {
    if (typeof node === "string" || node.type === "code") return sum;
    if (node.type === "run") return sum + 1;
    return sum + countRunBlocks(node.children);
  }, 0);
}
