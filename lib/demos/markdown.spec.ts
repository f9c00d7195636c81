import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Root as HastRoot } from "hast";
import rehypeSanitize from "rehype-sanitize";
import { unified } from "unified";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoSanitizeSchema,
  renderInlineMarkdown,
  renderMarkdown,
  type MarkdownContext,
} from "./markdown";
import type { MarkdownNode, MarkdownProps, MarkdownTag } from "./markdown-tree";

let root: string;
let context: MarkdownContext;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "demo-markdown-"));
  fs.mkdirSync(path.join(root, "demos", "a-demo", "img"), { recursive: true });
  fs.mkdirSync(path.join(root, "public"));
  fs.writeFileSync(path.join(root, "demos", "a-demo", "img", "stack.png"), "png");
  fs.writeFileSync(path.join(root, "demos", "secret.png"), "png");
  fs.writeFileSync(path.join(root, "public", "logo.svg"), "<svg/>");
  context = {
    slug: "a-demo",
    demoDir: path.join(root, "demos", "a-demo"),
    publicDir: path.join(root, "public"),
  };
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const render = (source: string) => renderMarkdown(source, context);
const el = (
  tag: MarkdownTag,
  children: MarkdownNode[],
  props: MarkdownProps = {},
): MarkdownNode => ({
  type: "element",
  tag,
  props,
  children,
});

/** Every element of a tree, depth first, to look for what must not be there. */
function elements(nodes: MarkdownNode[]): Extract<MarkdownNode, { type: "element" }>[] {
  return nodes.flatMap((node) => {
    if (typeof node === "string" || node.type === "code" || node.type === "run") return [];
    if (node.type === "admonition") return elements([...(node.title ?? []), ...node.children]);
    return [node, ...elements(node.children)];
  });
}

describe("renderMarkdown: full Markdown", () => {
  it("renders a table with its column alignment", () => {
    const { nodes, problems } = render("| Runtime | Boot |\n|:--|--:|\n| runc | 40 ms |");
    expect(problems).toEqual([]);
    expect(nodes).toEqual([
      el("table", [
        el("thead", [
          el("tr", [
            el("th", ["Runtime"], { align: "left" }),
            el("th", ["Boot"], { align: "right" }),
          ]),
        ]),
        el("tbody", [
          el("tr", [
            el("td", ["runc"], { align: "left" }),
            el("td", ["40 ms"], { align: "right" }),
          ]),
        ]),
      ]),
    ]);
  });

  it("nests lists, ordered inside bulleted", () => {
    const { nodes } = render("- runc\n  1. namespaces\n  2. seccomp\n- gVisor");
    expect(nodes).toEqual([
      el("ul", [
        el("li", ["runc", "\n", el("ol", [el("li", ["namespaces"]), el("li", ["seccomp"])]), "\n"]),
        el("li", ["gVisor"]),
      ]),
    ]);
  });

  it("renders admonitions with an optional title", () => {
    const { nodes, problems } = render(":::warning[Not on this host]\nKVM is *missing*.\n:::");
    expect(problems).toEqual([]);
    expect(nodes).toEqual([
      {
        type: "admonition",
        kind: "warning",
        title: ["Not on this host"],
        children: [el("p", ["KVM is ", el("em", ["missing"]), "."])],
      },
    ]);
    expect(render(":::tip\nShort.\n:::").nodes[0]).toMatchObject({ kind: "tip", title: null });
  });

  it("keeps a fenced block's language", () => {
    expect(render("```go\nfunc main() {}\n```").nodes).toEqual([
      { type: "code", language: "go", text: "func main() {}" },
    ]);
    expect(render("```\nplain\n```").nodes).toEqual([
      { type: "code", language: null, text: "plain" },
    ]);
  });

  it("serves an image of the demo's folder from its files URL and one of public/ as it is", () => {
    const { nodes, problems } = render("![The stack](img/stack.png) ![Logo](/logo.svg)");
    expect(problems).toEqual([]);
    expect(elements(nodes).filter((n) => n.tag === "img")).toEqual([
      el("img", [], { src: "/demos/a-demo/files/img/stack.png", alt: "The stack" }),
      el("img", [], { src: "/logo.svg", alt: "Logo" }),
    ]);
  });

  it("turns a ```sh run fence into the run directive", () => {
    expect(render("```sh run\necho hi; id\n```")).toEqual({
      nodes: [{ type: "run", language: "sh", command: "echo hi; id" }],
      problems: [],
    });
  });

  it("leaves a colon before a word as text (10:30, runtime:runc)", () => {
    expect(render("At 10:30 on runtime:runc.").nodes).toEqual([
      el("p", ["At 10", ":30", " on runtime", ":runc", "."]),
    ]);
  });

  it("shifts # to h2: the page title is the only h1", () => {
    expect(render("# A\n\n### B").nodes).toEqual([el("h2", ["A"]), el("h3", ["B"])]);
  });
});

describe("renderMarkdown: what an author gets wrong is named with its line", () => {
  const problemsOf = (source: string) => render(source).problems;

  it("names an unknown container, a leaf directive and a :::run", () => {
    expect(problemsOf("x\n\n:::danger\nno\n:::")).toEqual([
      {
        line: 3,
        message: expect.stringMatching(/^unknown directive ":::danger" \(known: :::note/),
      },
    ]);
    expect(problemsOf("::video")[0]?.message).toMatch(/unknown directive "::video"/);
    expect(problemsOf(":::run\nls\n:::")[0]?.message).toMatch(/a run block is a fence: ```sh run/);
  });

  it("names a malformed run block", () => {
    expect(problemsOf("```bash run\nls\n```")[0]?.message).toMatch(/so it is "```sh run"/);
    expect(problemsOf("```sh run\n\n```")[0]?.message).toBe("a run block has no command");
    expect(problemsOf("```sh rnu\nls\n```")[0]?.message).toMatch(/unknown "rnu"/);
    expect(problemsOf("```run\nls\n```")[0]?.message).toMatch(/names its shell first/);
  });

  it("names an image that is missing or outside the demo's folder and public/", () => {
    expect(problemsOf("![x](gone.png)")[0]?.message).toMatch(/no such file in demos\/a-demo\//);
    expect(problemsOf("![x](../secret.png)")[0]?.message).toMatch(/leaves its folder/);
    expect(problemsOf("![x](notes.txt)")[0]?.message).toMatch(/not an image type/);
  });
});

describe("renderMarkdown: sanitization", () => {
  it("drops raw HTML, a <script> above all, and says so", () => {
    const { nodes, problems } = render(
      "Before\n\n<script>alert(1)</script>\n\nInline <b onclick=x>bold</b> <img src=x onerror=alert(1)>",
    );
    expect(JSON.stringify(nodes)).not.toMatch(/script|alert|onclick|onerror/);
    expect(nodes).toEqual([el("p", ["Before"]), el("p", ["Inline ", "bold", " "])]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^raw HTML is not allowed \(<script>/),
      expect.stringMatching(/^raw HTML is not allowed \(<b onclick/),
      expect.stringMatching(/^raw HTML is not allowed \(<\/b>/),
      expect.stringMatching(/^raw HTML is not allowed \(<img/),
    ]);
  });

  it("keeps the text of a javascript: or data: link but not the link", () => {
    for (const url of ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x"]) {
      const { nodes, problems } = render(`[click](${url}) and [ref][r]\n\n[r]: ${url}`);
      expect(elements(nodes).filter((n) => n.tag === "a")).toEqual([]);
      expect(JSON.stringify(nodes)).not.toMatch(/javascript|data:/i);
      expect(problems[0]?.message).toMatch(/only http\(s\), mailto, site paths and #anchors/);
    }
    expect(elements(render("[docs](https://gvisor.dev)").nodes)).toEqual([
      el("p", [el("a", ["docs"], { href: "https://gvisor.dev" })]),
      el("a", ["docs"], { href: "https://gvisor.dev" }),
    ]);
  });

  it("never lets an on* attribute through, not even from directive attributes", () => {
    const { nodes, problems } = render(':::note{onclick="alert(1)" onmouseover=x}\nHi\n:::');
    expect(JSON.stringify(nodes)).not.toMatch(/onclick|onmouseover|alert/);
    expect(problems[0]?.message).toMatch(/takes no \{attributes\}/);
  });

  it("shows no image from another host, however the URL is written", () => {
    for (const url of [
      "https://evil.example/x.png",
      "//evil.example/x.png",
      "http:evil.png",
      "data:image/png;base64,AAAA",
    ]) {
      const { nodes, problems } = render(`![x](${url})`);
      expect(elements(nodes).filter((n) => n.tag === "img")).toEqual([]);
      expect(problems).toHaveLength(1);
    }
  });

  it("lets a fence's language into the class attribute only as a plain word", () => {
    const { nodes } = render('```sh"><img/src=x>\nls\n```\n\n```c++\nint x;\n```');
    expect(nodes).toEqual([
      { type: "code", language: null, text: "ls" },
      { type: "code", language: "c++", text: "int x;" },
    ]);
  });

  // The allowlist on its own, on HTML the Markdown stage would never make: it must hold by itself.
  it("the sanitize schema strips scripts, handlers, script URLs and outside image sources", () => {
    const hostile: HastRoot = {
      type: "root",
      children: [
        {
          type: "element",
          tagName: "script",
          properties: {},
          children: [{ type: "text", value: "alert(1)" }],
        },
        {
          type: "element",
          tagName: "a",
          properties: { href: "javascript:alert(1)", onClick: "alert(1)" },
          children: [{ type: "text", value: "link" }],
        },
        {
          type: "element",
          tagName: "img",
          properties: { src: "https://evil.example/x.png", onError: "alert(1)" },
          children: [],
        },
        { type: "element", tagName: "iframe", properties: { src: "/x" }, children: [] },
      ],
    };
    const clean = unified().use(rehypeSanitize, demoSanitizeSchema).runSync(hostile);
    expect(clean).toEqual({
      type: "root",
      children: [
        {
          type: "element",
          tagName: "a",
          properties: {},
          children: [{ type: "text", value: "link" }],
        },
        { type: "element", tagName: "img", properties: {}, children: [] },
      ],
    });
  });
});

describe("renderInlineMarkdown", () => {
  it("unwraps one paragraph", () => {
    expect(renderInlineMarkdown("**runc** and `sh`", context)).toEqual({
      nodes: [el("strong", ["runc"]), " and ", el("code", ["sh"])],
      problems: [],
    });
  });

  it("refuses blocks where one line is expected", () => {
    expect(renderInlineMarkdown("- a\n- b", context).problems[0]?.message).toMatch(
      /one line of inline Markdown/,
    );
  });
});
