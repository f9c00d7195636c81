// The lab: Monaco loads from this host only, an edited script runs in runc, and bad edits launch nothing.
import { expect, test, type Page, type Request } from "@playwright/test";
import { LabPage } from "./pages/lab-page";

/** Every request the page makes, and those to any host but the playground's own (none allowed). */
function recordRequests(page: Page, ownHost: string) {
  const all: Request[] = [];
  const elsewhere: string[] = [];
  const watch = (request: Request) => {
    all.push(request);
    const url = new URL(request.url());
    // data: and blob: URLs are made inside the page; anything on the network must be this host.
    if (["data:", "blob:"].includes(url.protocol)) return;
    if (url.host !== ownHost) elsewhere.push(request.url());
  };
  page.on("request", watch);
  // Workers fetch their own scripts and chunks; those requests are recorded too.
  page.on("worker", (worker) => {
    const url = new URL(worker.url());
    if (!["data:", "blob:"].includes(url.protocol) && url.host !== ownHost)
      elsewhere.push(worker.url());
  });
  const runsCreated = () =>
    all.filter((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/runs");
  return { all, elsewhere, runsCreated };
}

test("the editor loads from this host only, and an edited script runs in runc", async ({
  page,
}, testInfo) => {
  const ownHost = new URL(String(testInfo.project.use.baseURL)).host;
  const requests = recordRequests(page, ownHost);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  const lab = new LabPage(page);
  await lab.open();
  await expect(lab.editor().getByRole("textbox", { name: /Workload script/ })).toBeAttached();

  await lab.typeScript("echo lab-$((6*7))");
  expect(await lab.editorText()).toContain("echo lab-$((6*7))");
  await lab.setLimit("Memory", "64");
  await lab.selectOnly(["runc"]);
  await lab.run();

  await expect(lab.column("runc")).toHaveAttribute("data-state", "exited");
  await lab.log("runc").expectShows("lab-42");
  const [created] = requests.runsCreated();
  expect(created.postDataJSON()).toMatchObject({
    runtime: "runc",
    command: ["sh", "-c", "echo lab-$((6*7))"],
    limits: { memoryBytes: 64 * 1024 * 1024 },
  });

  // Monaco's editor worker runs (it serves word suggestions and links), loaded from this host.
  await expect.poll(() => page.workers().map((w) => new URL(w.url()).host)).toContain(ownHost);
  expect(problems).toEqual([]);
  // Monaco's chunks, its CSS and font, and the editor worker all came from here.
  const scripts = requests.all.filter((r) => r.resourceType() === "script").map((r) => r.url());
  expect(scripts.length).toBeGreaterThan(0);
  expect(requests.elsewhere).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath("lab.png"), fullPage: true });
});

test("an oversized script shows why and launches nothing", async ({ page }, testInfo) => {
  const requests = recordRequests(page, new URL(String(testInfo.project.use.baseURL)).host);
  const lab = new LabPage(page);
  await lab.open();
  await lab.selectOnly(["runc"]);

  await lab.pasteScript(`echo big\n${"#".repeat(17 * 1024)}`);
  await expect(lab.scriptError()).toContainText("over the limit of 16 KiB");
  await lab.run();

  await expect(lab.blockedMessage()).toHaveText(/Nothing was launched/);
  await expect(lab.blockedMessage()).toBeFocused();
  expect(requests.runsCreated()).toEqual([]);
  await expect(lab.columns()).toHaveCount(0);
});

test("a limit above the host's bound shows why and launches nothing", async ({
  page,
}, testInfo) => {
  const requests = recordRequests(page, new URL(String(testInfo.project.use.baseURL)).host);
  const lab = new LabPage(page);
  await lab.open();
  await lab.selectOnly(["runc"]);
  const bound = await page.getByTestId("lab-memoryMiB-bound").textContent();
  const hostMax = Number(/to (\d+) MiB/.exec(bound ?? "")?.[1]);
  expect(hostMax).toBeGreaterThan(0);

  await lab.setLimit("Memory", String(hostMax + 1));
  await expect(lab.limitError("Memory")).toHaveText(
    `Memory is at most ${hostMax} MiB on this host.`,
  );
  await expect(lab.limit("Memory")).toHaveAttribute("aria-invalid", "true");
  await lab.setLimit("Processes", "2");
  await expect(lab.limitError("Processes")).toContainText("at least 8");
  await lab.run();

  await expect(lab.blockedMessage()).toHaveText(/Nothing was launched/);
  expect(requests.runsCreated()).toEqual([]);
  await expect(lab.columns()).toHaveCount(0);
});

test("a demo opens its workload in the editor", async ({ page }) => {
  await page.goto("/demos/hello-sandbox");
  await page.getByRole("link", { name: "Open in the editor" }).click();
  await expect(page).toHaveURL(/\/lab\?demo=hello-sandbox$/);
  const lab = new LabPage(page);
  await lab.waitUntilReady();
  await expect(page.getByTestId("lab-source")).toContainText("Hello, sandbox");
  expect(await lab.editorText()).toContain('echo "Hello from $(hostname)"');
});

test("Tab indents in the editor until Ctrl+M lets it move focus on", async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open();
  const input = lab.editor().getByRole("textbox", { name: /Workload script/ });
  await lab.editor().locator(".view-lines").click();
  await page.keyboard.press("Tab");
  await expect(input).toBeFocused();
  await page.keyboard.press("Control+M");
  await page.keyboard.press("Tab");
  await expect(input).not.toBeFocused();
});

test("a run that takes more than a second shows how long it has been going", async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open();
  await lab.typeScript("echo started; sleep 2; echo done");
  await lab.selectOnly(["runc"]);
  await lab.run();
  const progress = lab.column("runc").getByTestId("run-progress");
  await expect(progress).toContainText(/running for 1\.\d s · last phase: first output/);
  await expect(lab.column("runc")).toHaveAttribute("data-state", "exited");
  await expect(progress).toHaveCount(0);
  await lab.log("runc").expectShows("done");
});

test("the terminal shows a one-line and a 40,000-line output whole on each runtime the host runs", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open();
  await lab.selectOnly(["runc", "gvisor", "microvm"]);
  const runtimes = await page
    .locator('[data-testid^="runtime-toggle-"]:checked')
    .evaluateAll((toggles) => toggles.map((t) => t.dataset.testid!.replace("runtime-toggle-", "")));
  expect(runtimes).toContain("runc");
  test.info().annotations.push({ type: "runtimes", description: runtimes.join(", ") });
  // A VM emulated without KVM on a busy host prints 40,000 lines on its console in tens of seconds.
  await lab.setLimit("Time limit", "100");

  // A run that finishes before xterm.js has loaded or sized its terminal.
  await lab.pasteScript("echo one-line-output");
  await lab.run();
  for (const runtime of runtimes) {
    await expect(lab.column(runtime)).toHaveAttribute("data-state", "exited", { timeout: 60_000 });
    await expect(lab.logText(runtime)).toContainText("one-line-output");
    await lab.log(runtime).expectShowsLine("one-line-output");
  }

  // 40,000 lines (some 240 KB, under the 1 MiB output limit): the terminal keeps them all, so a person
  // scrolling back finds the first line, and the last is on screen when the run ends.
  const first = "first of 40000 lines";
  const last = "last of 40000 lines";
  await lab.pasteScript(`echo "${first}"; seq 2 39999; echo "${last}"`);
  await lab.run();
  for (const runtime of runtimes) {
    await expect(lab.column(runtime)).toHaveAttribute("data-state", "exited", { timeout: 120_000 });
    await expect(page.getByTestId(`output-truncated-${runtime}`)).toHaveCount(0);
    await expect(lab.logText(runtime)).toContainText(last);
    await lab.log(runtime).expectShowsLine(last);
    expect(await lab.log(runtime).findLineFromTop(first), `${runtime}: "${first}" whole`).toBe(
      true,
    );
  }
});

test("the terminal re-flows its lines, the last one too, when the window is resized", async ({
  page,
}) => {
  const lab = new LabPage(page);
  await lab.open();
  const last = "a last line with no newline after it";
  await lab.pasteScript(`echo "a line before it, forty characters long"; printf "${last}"`);
  await lab.selectOnly(["runc"]);
  await lab.run();
  await expect(lab.column("runc")).toHaveAttribute("data-state", "exited");
  await lab.log("runc").expectShowsLine(last);

  // A phone-wide window: the pane is narrower than the lines, which wrap.
  const wide = page.viewportSize()!;
  await page.setViewportSize({ width: 360, height: wide.height });
  await expect.poll(() => lab.log("runc").rows()).not.toContainEqual(last);
  await page.setViewportSize(wide);
  await lab.log("runc").expectShowsLine("a line before it, forty characters long");
  await lab.log("runc").expectShowsLine(last);
});
