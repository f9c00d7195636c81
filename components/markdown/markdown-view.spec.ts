import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "@/lib/demos/markdown";
import { MarkdownView } from "./markdown-view";

const demos = path.resolve(import.meta.dirname, "../../demos");
const context = {
  slug: "hello-sandbox",
  demoDir: path.join(demos, "hello-sandbox"),
  publicDir: path.resolve(demos, "../public"),
};

/** A body as the page shows it: rendered by the loader's pipeline, then by the view. */
const html = (source: string) =>
  renderToStaticMarkup(
    createElement(MarkdownView, { nodes: renderMarkdown(source, context).nodes }),
  );

describe("MarkdownView", () => {
  it("renders tables, nested lists, admonitions and code with its language as HTML", () => {
    const out = html(
      [
        "| a | b |",
        "|---|--:|",
        "| 1 | 2 |",
        "",
        "- outer",
        "  - inner",
        "",
        ":::note[Heads up]",
        "Read **this**.",
        ":::",
        "",
        "```go",
        'fmt.Println("<hi>")',
        "```",
      ].join("\n"),
    );
    expect(out).toContain("<table");
    expect(out).toMatch(/<td[^>]*style="text-align:right"[^>]*>2<\/td>/);
    expect(out).toMatch(/<li>outer\s*<ul[^>]*><li>inner<\/li><\/ul>/);
    expect(out).toMatch(
      /<div role="note" aria-label="Note"[^>]*><p[^>]*>Note: Heads up<\/p><p>Read <strong>this<\/strong>.<\/p><\/div>/,
    );
    expect(out).toContain('<code class="language-go">fmt.Println(&quot;&lt;hi&gt;&quot;)</code>');
  });

  it("renders a run block with its command and a Copy button (Run needs a runner on the page)", () => {
    const out = html("```sh run\necho hi\n```");
    expect(out).toContain('data-testid="run-block"');
    expect(out).toMatch(/<code id="[^"]+" class="language-sh">echo hi<\/code>/);
    expect(out).toMatch(/<button type="button" aria-describedby="[^"]+"[^>]*>Copy<\/button>/);
  });

  it("puts no script, handler, script URL or outside image in the page", () => {
    const out = html(
      [
        "<script>alert(1)</script>",
        "",
        '[a](javascript:alert(1)) <a href="javascript:alert(2)" onclick="alert(3)">b</a>',
        "",
        ':::tip{onclick="alert(4)"}',
        "x",
        ":::",
        "",
        "![x](https://evil.example/x.png) ![y](//evil.example/y.png)",
      ].join("\n"),
    );
    expect(out).not.toMatch(/<script|javascript:|onclick|alert|evil\.example|<img/i);
  });
});
