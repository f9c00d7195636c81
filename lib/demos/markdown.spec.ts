import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown } from "./markdown";

describe("parseMarkdown", () => {
  it("splits paragraphs, headings, lists and code fences", () => {
    const blocks = parseMarkdown(
      [
        "First line",
        "continues.",
        "",
        "## Title",
        "",
        "- one",
        "- `two`",
        "",
        "```",
        "<b>raw</b>",
        "```",
      ].join("\n"),
    );
    expect(blocks).toEqual([
      { type: "paragraph", children: [{ type: "text", text: "First line continues." }] },
      { type: "heading", level: 2, children: [{ type: "text", text: "Title" }] },
      {
        type: "list",
        ordered: false,
        items: [[{ type: "text", text: "one" }], [{ type: "code", text: "two" }]],
      },
      { type: "code", text: "<b>raw</b>" },
    ]);
  });

  it("numbers ordered lists", () => {
    expect(parseMarkdown("1. a\n2. b")).toEqual([
      {
        type: "list",
        ordered: true,
        items: [[{ type: "text", text: "a" }], [{ type: "text", text: "b" }]],
      },
    ]);
  });
});

describe("parseInline", () => {
  it("reads strong, emphasis and code", () => {
    expect(parseInline("**runc** and *gVisor* run `sh`")).toEqual([
      { type: "strong", children: [{ type: "text", text: "runc" }] },
      { type: "text", text: " and " },
      { type: "em", children: [{ type: "text", text: "gVisor" }] },
      { type: "text", text: " run " },
      { type: "code", text: "sh" },
    ]);
  });

  it("keeps web links and leaves script links as text", () => {
    expect(parseInline("[docs](https://gvisor.dev)")).toEqual([
      { type: "link", href: "https://gvisor.dev", children: [{ type: "text", text: "docs" }] },
    ]);
    expect(parseInline("[x](javascript:alert(1))")[0]).toMatchObject({ type: "text" });
  });
});
