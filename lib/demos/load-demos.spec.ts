import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { labStepsOf } from "./lab-steps";
import { loadDemo, loadDemos } from "./load-demos";

const realDemos = path.resolve(import.meta.dirname, "../../demos");

describe("loadDemos on the real demos folder", () => {
  it("loads every demo with its workload and default runtimes", () => {
    const demos = loadDemos(realDemos);
    const slugs = demos.map((d) => d.slug);
    expect(slugs).toEqual(expect.arrayContaining(["hello-sandbox", "what-the-sandbox-sees"]));
    for (const demo of demos) {
      expect(demo.runtimes.length).toBeGreaterThan(0);
      expect(demo.workload.command.length).toBeGreaterThan(0);
      expect(demo.body.length).toBeGreaterThan(0);
    }
    const hello = demos.find((d) => d.slug === "hello-sandbox");
    expect(hello?.runtimes).toEqual(["runc", "gvisor"]);
    expect(hello?.workload.image).toBe("busybox");
  });

  it("finds one demo by slug and nothing for an unknown or unsafe slug", () => {
    expect(loadDemo("hello-sandbox", realDemos)?.title).toBe("Hello, sandbox");
    expect(loadDemo("no-such-demo", realDemos)).toBeNull();
    expect(loadDemo("../demos", realDemos)).toBeNull();
  });
});

describe("loadDemos on a malformed folder", () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  function fixture(slug: string, source: string): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "demos-"));
    fs.mkdirSync(path.join(dir, slug));
    fs.writeFileSync(path.join(dir, slug, "index.md"), source);
    return dir;
  }

  const frontmatter = (runtimes: string) =>
    [
      "---",
      "title: Broken",
      "summary: A demo with a runtime nobody knows.",
      "track: Tests",
      "order: 1",
      `runtimes: ${runtimes}`,
      "workload:",
      "  command: [echo, hi]",
      "---",
      "Body.",
    ].join("\n");

  it("names the file and the field of an invalid runtime", () => {
    const demosDir = fixture("broken-demo", frontmatter("[runc, warp-drive]"));
    expect(() => loadDemos(demosDir)).toThrow(
      new RegExp(`^${path.basename(demosDir)}/broken-demo/index\\.md: runtimes\\[1\\]: `),
    );
  });

  it("names a missing field", () => {
    const demosDir = fixture("no-track", frontmatter("[runc]").replace("track: Tests\n", ""));
    expect(() => loadDemos(demosDir)).toThrow(/no-track\/index\.md: track: /);
  });

  it("rejects a folder name that is not kebab-case", () => {
    const demosDir = fixture("Bad_Name", frontmatter("[runc]"));
    expect(() => loadDemos(demosDir)).toThrow(/Bad_Name\/index\.md: folder name: /);
  });

  it("names the file, field and line of a malformed directive in the body", () => {
    const source = frontmatter("[runc]").replace(
      "Body.",
      ["Body.", "", "```sh run", "", "```", "", ":::danger", "Boom", ":::"].join("\n"),
    );
    const demosDir = fixture("bad-body", source);
    expect(() => loadDemos(demosDir)).toThrow(
      /^demos-\w+\/bad-body\/index\.md: body \(line 12\): a run block has no command; body \(line 16\): unknown directive ":::danger"/,
    );
  });

  it("names the step and notice a Markdown problem is in", () => {
    const source = frontmatter("[runc]").replace(
      "---\nBody.",
      [
        "steps:",
        "  - title: One",
        '    body: "```bash run\\nls\\n```"',
        "notice:",
        '  - "fine"',
        '  - "<b>raw</b>"',
        "---",
        "Body.",
      ].join("\n"),
    );
    const demosDir = fixture("bad-step", source);
    expect(() => loadDemos(demosDir)).toThrow(
      /bad-step\/index\.md: notice\[1\]: raw HTML is not allowed .*; steps\[0\]\.body: a run block runs in the sandbox's \/bin\/sh/,
    );
  });

  it("renders a folder again once its index.md changes", () => {
    const demosDir = fixture("edited", frontmatter("[runc]"));
    expect(loadDemos(demosDir)[0]?.rendered.body).toEqual([
      { type: "element", tag: "p", props: {}, children: ["Body."] },
    ]);
    const file = path.join(demosDir, "edited", "index.md");
    fs.writeFileSync(file, frontmatter("[runc]").replace("Body.", ":::danger\nBoom\n:::"));
    expect(() => loadDemos(demosDir)).toThrow(
      /edited\/index\.md: body \(line 10\): unknown directive/,
    );
  });

  const withSteps = (runtimes: string, steps: string[]) =>
    frontmatter(runtimes).replace("---\nBody.", ["steps:", ...steps, "---", "Body."].join("\n"));

  it("names the step and field of a malformed lab step", () => {
    const demosDir = fixture(
      "bad-lab",
      withSteps("[runc]", [
        "  - title: Fine",
        "    check: test -f /tmp/x",
        "    run: [touch /tmp/x]",
        "  - title: No way to pass",
        "    check: test -f /tmp/y",
        "  - title: Empty",
        '    setup: "  "',
        "    timeoutMs: 600000",
      ]),
    );
    expect(() => loadDemos(demosDir)).toThrow(
      /bad-lab\/index\.md: steps\[1\]\.solve: a step with a check needs a solve script or run blocks .*; steps\[2\]\.setup: is empty; steps\[2\]\.timeoutMs: /,
    );
  });

  it("refuses a lab step on a runtime without sessions, its own or the demo's", () => {
    const own = fixture(
      "vm-step",
      withSteps("[runc]", ["  - title: In a VM", "    run: [uname]", "    runtimes: [kata-fc]"]),
    );
    expect(() => loadDemos(own)).toThrow(
      /vm-step\/index\.md: steps\[0\]\.runtimes: kata-fc has no interactive sessions \(runc, gvisor, containerd-runc, microvm, kata, .*kata-clh-runtime-rs and a cluster's k8s:<class> have\)/,
    );
    const inherited = fixture(
      "vm-demo",
      withSteps("[runc, kata-fc]", ["  - title: Read", "  - title: Try", "    run: [ls]"]),
    );
    expect(() => loadDemos(inherited)).toThrow(
      /vm-demo\/index\.md: steps\[1\]\.runtimes: needed: the demo's runtimes include kata-fc/,
    );
  });

  it("lets a lab step name a cluster's runtime, and refuses one that is not a RuntimeClass name", () => {
    const cluster = fixture(
      "cluster-step",
      withSteps("[runc]", [
        "  - title: On the cluster",
        "    run: [uname -r]",
        "    runtimes: [runc, k8s:kata-qemu, k8s:default, k8s:east/gvisor]",
      ]),
    );
    const [demo] = loadDemos(cluster);
    expect(labStepsOf(demo!)[0]!.runtimes).toEqual([
      "runc",
      "k8s:kata-qemu",
      "k8s:default",
      "k8s:east/gvisor",
    ]);
    for (const bad of ["k8s:Kata_QEMU", "k8s:../pods", "k8s:", "kata-qemu-on-k8s", "k8s:a/b/c"]) {
      const dir = fixture(
        "bad-cluster-step",
        withSteps("[runc]", ["  - title: Nope", "    run: [ls]", `    runtimes: ["${bad}"]`]),
      );
      expect(() => loadDemos(dir)).toThrow(
        /bad-cluster-step\/index\.md: steps\[0\]\.runtimes\[0\]/,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps a lab step's run blocks, check, setup and solve", () => {
    const demosDir = fixture(
      "good-lab",
      withSteps("[runc, gvisor]", [
        "  - title: Make a file",
        "    setup: rm -f /tmp/x",
        "    run: [touch /tmp/x]",
        "    check: test -f /tmp/x || { echo 'No /tmp/x yet'; exit 1; }",
        "    runtimes: [gvisor]",
      ]),
    );
    const [demo] = loadDemos(demosDir);
    expect(demo?.steps[0]).toMatchObject({
      run: ["touch /tmp/x"],
      setup: "rm -f /tmp/x",
      runtimes: ["gvisor"],
    });
    expect(demo?.steps[0]?.check).toContain("No /tmp/x yet");
  });
});
