// A facilitator creates a workshop in one browser, an attendee joins in another, runs demos, hits the quota and sees why.
import { expect, test } from "@playwright/test";
import { DemoPage } from "./pages/demo-page";
import { SandboxPage } from "./pages/sandbox-page";
import { expectTerminalRow, terminalRows } from "./pages/terminal-rows";
import { WorkshopAttendeePage, WorkshopFacilitatorPage } from "./pages/workshop-page";

test("an attendee joins, runs within the quotas, hits them and sees why; the facilitator sees and steers", async ({
  browser,
}, testInfo) => {
  const facilitatorContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  const facilitatorPage = await facilitatorContext.newPage();
  const attendeePage = await attendeeContext.newPage();
  try {
    const facilitator = new WorkshopFacilitatorPage(facilitatorPage);
    const workshop = await facilitator.create({
      name: "Sandboxes 101",
      capacity: 5,
      hours: 1,
      timeoutSeconds: 30,
      concurrent: 1,
      total: 3,
      runtimes: ["runc"],
    });
    expect(workshop.joinCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(workshop.facilitatorToken.length).toBeGreaterThan(40);

    // A wrong code is refused with a reason, and nothing is joined.
    const attendee = new WorkshopAttendeePage(attendeePage);
    await attendee.submitJoin("/workshops/join?code=ZZZZZZ", "Ada");
    await expect(attendee.joinError()).toContainText("No workshop has the join code ZZZZZZ");

    await attendee.join(workshop.joinLink, "Ada");
    await expect(attendee.workshopName()).toHaveText("Sandboxes 101");
    await expect(attendee.quotas()).toContainText("0 of 3 used");

    // A demo run from the attendee's browser counts as theirs.
    const demo = new DemoPage(attendeePage);
    await demo.open("hello-sandbox");
    await demo.selectOnly(["runc"]);
    await demo.run();
    await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
    await demo.log("runc").expectShows("Hello from sandbox");

    // A long run from the same browser (its cookie rides along), for the facilitator to see and stop.
    const long = await attendeePage.request.post("/api/runs", {
      data: { runtime: "runc", command: ["sleep", "30"] },
    });
    expect(long.status()).toBe(201);
    await expect(facilitator.attendee("Ada")).toContainText("2 of 3");
    await expect(facilitator.attendee("Ada").getByTestId("attendee-run")).toContainText("running");

    // While it runs, the one-at-a-time quota refuses the next, and the demo page says why.
    await demo.run();
    await expect(demo.column("runc")).toHaveAttribute("data-state", "rejected");
    await expect(demo.column("runc")).toContainText(
      "Workshop quota: at most 1 sandbox running at a time per attendee; you have 1 running.",
    );

    await facilitatorPage.screenshot({
      path: testInfo.outputPath("workshop-dashboard.png"),
      fullPage: true,
    });
    await attendeePage.screenshot({
      path: testInfo.outputPath("workshop-quota.png"),
      fullPage: true,
    });
    await facilitator.stopRunOf("Ada", "runc");
    await expect(facilitator.notice()).toHaveText("Stopped Ada's runc sandbox.");
    await expect(facilitator.attendee("Ada")).toContainText("none");

    await demo.run();
    await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
    await demo.run();
    await expect(demo.column("runc")).toHaveAttribute("data-state", "rejected");
    await expect(demo.column("runc")).toContainText(
      "Workshop quota: at most 3 runs per attendee; you have used 3.",
    );

    await attendee.openHome();
    await expect(attendee.quotas()).toContainText("3 of 3 used");
    await expect(attendee.runs().getByRole("listitem")).toHaveCount(3);
    await attendeePage.screenshot({
      path: testInfo.outputPath("workshop-attendee.png"),
      fullPage: true,
    });

    // Another visitor cannot see the attendee's run, even knowing its id.
    const runId = ((await long.json()) as { id: string }).id;
    const outsider = await facilitatorContext.request.get(`/api/runs/${runId}`);
    expect(outsider.status()).toBe(404);

    await facilitator.end();
    await expect(facilitator.notice()).toContainText("Workshop ended");
    await expect(attendee.status()).toHaveAttribute("data-status", "ended");
  } finally {
    await facilitatorContext.close();
    await attendeeContext.close();
  }
});

test("the facilitator watches an attendee's shell read-only from the dashboard, and ends it", async ({
  browser,
}) => {
  const facilitatorContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  try {
    const facilitator = new WorkshopFacilitatorPage(await facilitatorContext.newPage());
    const workshop = await facilitator.create({
      name: "Shells 101",
      capacity: 5,
      hours: 1,
      timeoutSeconds: 30,
      concurrent: 1,
      total: 3,
      runtimes: ["runc"],
    });
    const attendeePage = await attendeeContext.newPage();
    await new WorkshopAttendeePage(attendeePage).join(workshop.joinLink, "Ada");
    const sandbox = new SandboxPage(attendeePage);
    await sandbox.open();
    await sandbox.start("runc");
    await sandbox.expectRow(/^~ #$/);
    await sandbox.type("echo helped-$((6*7))\n");
    await sandbox.expectRow(/^helped-42$/);

    // The dashboard lists the session with its time left; Watch shows the shell as Ada sees it.
    const row = facilitator.attendee("Ada");
    await expect(row.getByTestId("attendee-session")).toContainText(/runc\s*ready\s*ends in/);
    await row.getByRole("button", { name: "Watch Ada's runc terminal 1" }).click();
    const watched = facilitator.page.getByTestId("watched-terminal");
    await expectTerminalRow(watched, /^helped-42$/);
    await sandbox.type("echo more\n");
    await expectTerminalRow(watched, /^more$/);
    // The facilitator's keys reach no shell.
    await watched.click();
    await facilitator.page.keyboard.type("echo facilitator-typed\n");
    await sandbox.type("echo last\n");
    await expectTerminalRow(watched, /^last$/);
    expect((await terminalRows(sandbox.terminal())).join("\n")).not.toContain("facilitator-typed");

    await row.getByRole("button", { name: "End Ada's runc session" }).click();
    await expect(attendeePage.getByTestId("session-status")).toContainText("ended");
    await expect(row.getByTestId("attendee-session")).toHaveCount(0);
    await expect(watched).toHaveCount(0);
  } finally {
    await facilitatorContext.close();
    await attendeeContext.close();
  }
});
