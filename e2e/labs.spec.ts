// A lab in Chromium: a step's check fails and shows its hint, Run types the fix into both shells, the check passes.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { LabStepsPage } from "./pages/lab-steps-page";
import { AudiencePage, PresenterPage } from "./pages/presenter-page";
import { expectTerminalRow } from "./pages/terminal-rows";

test("a lab step fails with its hint, Run types the command into runc's and gVisor's shells, and the step is done", async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000);
  const lab = new LabStepsPage(page);
  await lab.open("a-shell-that-stays");
  await expect(lab.stepItem(0)).toHaveAttribute("data-state", "open");
  await expect(lab.stepItem(1)).toHaveAttribute("data-state", "locked");
  await lab.startSessions(["runc", "gvisor"]);
  await lab.currentStep().getByTestId("complete-step").click();

  // Step 2: nothing written yet, so its check fails with the script's last line.
  await expect(lab.stepItem(1)).toHaveAttribute("data-state", /open|checking|failed/);
  await lab.currentStep().getByTestId("check-step").click();
  await expect(lab.currentStep().getByTestId("step-hint")).toHaveText(
    /Hint: runc: No ~\/note\.txt yet/,
  );
  await expect(lab.stepItem(1)).toHaveAttribute("data-state", "failed");
  await page.screenshot({ path: testInfo.outputPath("lab-hint.png"), fullPage: true });
  // The lab with two live shells, a failed step and its hint passes axe's WCAG 2 AA rules.
  const axe = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);

  // Run types the block into both shells; the open step checks itself and turns done.
  await lab.currentStep().getByRole("button", { name: "Run", exact: true }).click();
  await lab.expectRow("runc", /echo "hello from \$\(hostname\)" > ~\/note\.txt/);
  await lab.expectRow("gvisor", /echo "hello from \$\(hostname\)" > ~\/note\.txt/);
  await expect(lab.stepItem(1)).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(lab.stepItem(2)).toHaveAttribute("data-state", "open");
  await expect(lab.currentStep()).toContainText("Try to change the image");

  // Progress is the server's: a reload comes back to the same step, with the same shells.
  await page.reload();
  await expect(lab.stepItem(1)).toHaveAttribute("data-state", "done");
  await expect(lab.currentStep()).toContainText("Try to change the image");
  await expect(lab.shell("runc").getByTestId("terminal-status")).toHaveText(/Connected/);
  await lab.expectRow("runc", /echo "hello from \$\(hostname\)" > ~\/note\.txt/);
});

test("the presenter's Run on a lab step types its command into the presenter's shell, which the audience watches", async ({
  browser,
}) => {
  const presenterContext = await browser.newContext();
  const audienceContext = await browser.newContext();
  try {
    const presenter = new PresenterPage(await presenterContext.newPage());
    const audience = new AudiencePage(await audienceContext.newPage());
    await presenter.start("containers-and-their-kernel", "Ada");
    await audience.open(await presenter.joinUrl());
    // Hello, sandbox's fifth step asks the sandbox for its kernel.
    // At a presenter's pace: each step shown before the next press (a step's editor may take the keyboard as it mounts).
    for (let i = 2; i <= 5; i++) {
      await presenter.press("ArrowRight");
      await expect(presenter.stepPosition()).toHaveText(`Step ${i} of 5`);
    }
    const step = presenter.page.getByRole("region", { name: /Ask your own sandbox/ });
    // No shell yet: the block can be copied, not run.
    await expect(step.getByRole("button", { name: "Run", exact: true })).toHaveCount(0);

    await presenter.page.getByRole("button", { name: "Open a shell for the audience" }).click();
    const shell = presenter.page.getByTestId("interactive-terminal");
    await expectTerminalRow(shell, /^~ #$/);
    const watched = audience.page.getByTestId("watched-terminal");
    await expect(watched).toBeVisible();

    await step.getByRole("button", { name: "Run", exact: true }).click();
    await expectTerminalRow(shell, /^~ # uname -sr > ~\/kernel; cat ~\/kernel$/);
    await expectTerminalRow(watched, /^~ # uname -sr > ~\/kernel; cat ~\/kernel$/);
    await expectTerminalRow(watched, /^Linux \d/);
    await presenter.page.getByRole("button", { name: "End shell" }).click();
  } finally {
    await presenterContext.close();
    await audienceContext.close();
  }
});
