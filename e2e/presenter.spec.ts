// Presenter mode with two browsers: the audience follows the presenter's steps and runs; a forged action does nothing.
import { expect, test } from "@playwright/test";
import { io } from "socket.io-client";
import { AudiencePage, PresenterPage } from "./pages/presenter-page";
import { expectTerminalRow, terminalRows } from "./pages/terminal-rows";

test("the audience stays on the presenter's step and sees the presenter's run", async ({
  browser,
  baseURL,
}, testInfo) => {
  const presenterContext = await browser.newContext();
  const audienceContext = await browser.newContext();
  try {
    const presenter = new PresenterPage(await presenterContext.newPage());
    const audience = new AudiencePage(await audienceContext.newPage());

    await presenter.start("containers-and-their-kernel", "Ada");
    const joinUrl = await presenter.joinUrl();
    expect(joinUrl).toBe(`/watch/${presenter.presentationId()}`);
    await expect(presenter.qrCode().locator("svg")).toBeVisible();
    // The projector theme is on: large type on the page root.
    const rootFontPx = await presenter.page.evaluate(() =>
      parseFloat(getComputedStyle(document.documentElement).fontSize),
    );
    expect(rootFontPx).toBeGreaterThanOrEqual(20);

    await audience.open(joinUrl);
    await expect(audience.following()).toHaveText("Following Ada — step 1 of 5");
    // The presenter sees the room: the audience's browser counts, the presenter's own view does not.
    await expect(presenter.page.getByTestId("audience-count")).toHaveText("1 browser following");
    await presenter.page.screenshot({ path: testInfo.outputPath("presenter-start.png") });

    const pressed = Date.now();
    await presenter.press("ArrowRight");
    await expect(audience.following()).toHaveText("Following Ada — step 2 of 5");
    const followMs = Date.now() - pressed;
    testInfo.annotations.push({ type: "key-to-audience-step-ms", description: String(followMs) });
    console.log(`presenter key → audience shows the step: ${followMs} ms`);
    await presenter.press("ArrowRight");
    await expect(presenter.stepPosition()).toHaveText("Step 3 of 5");
    await expect(audience.stepPosition()).toHaveText("Step 3 of 5");
    await expect(audience.following()).toHaveText("Following Ada — step 3 of 5");
    // The step's own "what to notice" reaches the audience with it.
    await expect(audience.page.getByText("uname -sr", { exact: false })).toBeVisible();
    await presenter.press("ArrowLeft");
    await expect(audience.following()).toHaveText("Following Ada — step 2 of 5");
    await presenter.press("PageDown");
    await expect(audience.following()).toHaveText("Following Ada — step 3 of 5");

    // The audience's network drops while the presenter moves on; once back, it catches up by itself.
    await audienceContext.setOffline(true);
    await expect(audience.page.getByTestId("audience-connection")).toHaveText("Reconnecting…");
    await presenter.press("ArrowRight");
    await expect(presenter.stepPosition()).toHaveText("Step 4 of 5");
    await audienceContext.setOffline(false);
    await expect(audience.following()).toHaveText("Following Ada — step 4 of 5");
    await presenter.press("ArrowLeft");
    await expect(audience.following()).toHaveText("Following Ada — step 3 of 5");

    await presenter.press("?");
    await expect(presenter.helpOverlay()).toBeVisible();
    await presenter.page.keyboard.press("Escape");
    await expect(presenter.helpOverlay()).toBeHidden();
    await presenter.press("?");
    await expect(presenter.helpOverlay()).toBeVisible();
    await presenter.page.keyboard.press("?");
    await expect(presenter.helpOverlay()).toBeHidden();

    await presenter.press("f");
    await expect
      .poll(() => presenter.page.evaluate(() => document.fullscreenElement !== null))
      .toBe(true);
    await presenter.press("f");
    await expect
      .poll(() => presenter.page.evaluate(() => document.fullscreenElement !== null))
      .toBe(false);

    await presenter.selectOnly(["runc"]);
    await presenter.press("r");
    await expect(presenter.column("runc")).toHaveAttribute("data-state", "exited");
    await presenter.log("runc").expectShows("Hello from");
    await expect(audience.followedRun("runc")).toHaveAttribute("data-state", "exited");
    await audience.followedLogPane("runc").expectShows("Hello from");
    expect(await audience.followedLog("runc").textContent()).toBe(
      await presenter.logText("runc").textContent(),
    );
    // Read-only: the audience has no way to stop the presenter's run.
    await expect(audience.page.getByRole("button", { name: /stop/i })).toHaveCount(0);

    // A forged presenter action, straight over socket.io with the presentation id the audience knows.
    const id = joinUrl.split("/").pop()!;
    const forger = io(baseURL!, { transports: ["websocket"], forceNew: true });
    try {
      const forged = await forger.timeout(5000).emitWithAck("presentation:step", {
        id,
        token: "not-the-presenter-token",
        demo: "what-the-sandbox-sees",
        step: 0,
      });
      expect(forged).toMatchObject({ ok: false, error: { code: "forbidden:presenter" } });
      const tokenless = await forger
        .timeout(5000)
        .emitWithAck("presentation:step", { id, demo: "hello-sandbox", step: 0 });
      expect(tokenless).toMatchObject({ ok: false });
      const forgedRuns = await forger
        .timeout(5000)
        .emitWithAck("presentation:runs", { id, token: "forged", runIds: [] });
      expect(forgedRuns).toMatchObject({ ok: false, error: { code: "forbidden:presenter" } });
    } finally {
      forger.close();
    }
    const state = await (await presenter.page.request.get(`/api/presentations/${id}`)).json();
    expect(state).toMatchObject({ demo: "hello-sandbox", step: 2 });
    expect(state.runs).toHaveLength(1);
    // The run id lets the audience watch the run, not stop it: only the presenter's browser may.
    const audienceStop = await audience.page.request.delete(`/api/runs/${state.runs[0]}`);
    expect(audienceStop.status()).toBe(403);
    expect((await presenter.page.request.delete(`/api/runs/${state.runs[0]}`)).status()).toBe(200);
    await expect(audience.following()).toHaveText("Following Ada — step 3 of 5");
    await audience.followedLogPane("runc").expectShows("Hello from");

    await presenter.page.screenshot({ path: testInfo.outputPath("presenter.png") });
    await audience.page.screenshot({ path: testInfo.outputPath("audience.png"), fullPage: true });
  } finally {
    await presenterContext.close();
    await audienceContext.close();
  }
});

test("the audience sees the presenter's shell typed into, and cannot type into it", async ({
  browser,
}) => {
  const presenterContext = await browser.newContext();
  const audienceContext = await browser.newContext();
  try {
    const presenter = new PresenterPage(await presenterContext.newPage());
    const audience = new AudiencePage(await audienceContext.newPage());
    await presenter.start("containers-and-their-kernel", "Ada");
    await audience.open(await presenter.joinUrl());

    // The shell's runtimes are this host's that open sessions: Kata is listed only where it is installed.
    const runtimeChoice = presenter.page.getByRole("combobox", { name: "Runtime" });
    await expect(runtimeChoice.getByRole("option", { name: "gVisor", exact: false })).toHaveCount(
      1,
    );
    expect(await runtimeChoice.getByRole("option").allInnerTexts()).not.toContainEqual(
      expect.stringMatching(/Kata/),
    );
    await expect(runtimeChoice).toHaveValue("runc");
    await presenter.page.getByRole("button", { name: "Open a shell for the audience" }).click();
    const shell = presenter.page.getByTestId("interactive-terminal");
    await expect(shell).toBeVisible();
    await expectTerminalRow(shell, /^~ #$/);
    const watched = audience.page.getByTestId("watched-terminal");
    await expect(watched).toBeVisible();
    await expect(audience.page.getByTestId("watched-terminal-status")).toHaveText(
      /^Read-only · Connected/,
    );

    await shell.click();
    await presenter.page.keyboard.type("echo shown-$((6*7))\n");
    await expectTerminalRow(shell, /^shown-42$/);
    await expectTerminalRow(watched, /^~ # echo shown-\$\(\(6\*7\)\)$/);
    await expectTerminalRow(watched, /^shown-42$/);

    // The audience's terminal takes no keys: what they type reaches no shell.
    await watched.click();
    await audience.page.keyboard.type("echo audience-typed\n");
    await shell.click();
    await presenter.page.keyboard.type("echo after-$((2*3))\n");
    await expectTerminalRow(watched, /^after-6$/);
    for (const rows of [await terminalRows(shell), await terminalRows(watched)])
      expect(rows.join("\n")).not.toContain("audience-typed");

    await presenter.page.getByRole("button", { name: "End shell" }).click();
    await expect(watched).toHaveCount(0);
  } finally {
    await presenterContext.close();
    await audienceContext.close();
  }
});

// A demo without checked steps: its guide's Next marks steps done (a lab's checks do, in e2e/labs.spec.ts).
test("a visitor's progress through a demo's steps is kept and shown on the demos list", async ({
  page,
  baseURL,
}, testInfo) => {
  // An attendee's browser reports each finished step to the workshop (its reply does not matter here).
  await page
    .context()
    .addCookies([{ name: "sbpg_workshop", value: "attendee", url: new URL(baseURL!).origin }]);
  await page.goto("/demos/inference-in-a-sandbox");
  await expect(page.getByTestId("demo-progress")).toHaveText("0 of 3 steps");
  const reported = page.waitForRequest("**/api/workshops/me/progress");
  await page.getByTestId("next-step").click();
  expect((await reported).postDataJSON()).toEqual({ demo: "inference-in-a-sandbox", step: 1 });
  await page.getByTestId("next-step").click();
  await expect(page.getByTestId("demo-progress")).toHaveText("2 of 3 steps");
  await expect(page.getByTestId("current-step")).toContainText("Step 3 of 3");

  await page.reload();
  await expect(page.getByTestId("demo-progress")).toHaveText("2 of 3 steps");
  await page.screenshot({ path: testInfo.outputPath("demo-steps.png") });
  await page.goto("/demos");
  await expect(page.getByTestId("progress-inference-in-a-sandbox")).toHaveText("2 of 3 steps");
  await page.screenshot({ path: testInfo.outputPath("demos-list.png") });
});
