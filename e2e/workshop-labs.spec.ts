// A workshop lab in Chromium: an attendee's check fails with its hint, Run fixes it, and the facilitator's dashboard shows
// the attendee move on within 2 s (pushed over socket.io); the facilitator reveals the next step's solution to everyone.
import { expect, test } from "@playwright/test";
import { LabStepsPage } from "./pages/lab-steps-page";
import { WorkshopAttendeePage, WorkshopFacilitatorPage } from "./pages/workshop-page";

test("the facilitator's dashboard follows an attendee through a lab's checks and reveals a solution to them", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const facilitatorContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  try {
    const facilitatorPage = await facilitatorContext.newPage();
    const attendeePage = await attendeeContext.newPage();
    const facilitator = new WorkshopFacilitatorPage(facilitatorPage);
    const workshop = await facilitator.create({
      name: "Labs 101",
      capacity: 5,
      hours: 1,
      timeoutSeconds: 30,
      concurrent: 4,
      total: 20,
      runtimes: ["runc", "gvisor"],
      shells: 2,
    });
    await new WorkshopAttendeePage(attendeePage).join(workshop.joinLink, "Ada");
    const board = facilitatorPage.getByTestId("lab-board-Ada");

    const lab = new LabStepsPage(attendeePage);
    await lab.open("a-shell-that-stays");
    await lab.startSessions(["runc", "gvisor"]);
    await expect(board).toContainText("step 1 of 4");
    await lab.currentStep().getByTestId("complete-step").click();

    await lab.currentStep().getByTestId("check-step").click();
    await expect(lab.currentStep().getByTestId("step-hint")).toHaveText(
      /Hint: runc: No ~\/note\.txt yet/,
    );
    await expect(board.getByTestId("lab-board-step")).toContainText("step 2 of 4");
    await expect(board.getByTestId("lab-board-state")).toContainText("failed");
    await expect(board.getByTestId("lab-board-failed")).toHaveText(/^[1-9]/);

    await lab.currentStep().getByRole("button", { name: "Run", exact: true }).click();
    await expect(lab.stepItem(1)).toHaveAttribute("data-state", "done", { timeout: 20_000 });
    // The dashboard is pushed the move as the step opens: it shows it within 2 s of the attendee's page.
    await expect(board.getByTestId("lab-board-step")).toContainText("step 3 of 4", {
      timeout: 2_000,
    });
    await facilitatorPage.screenshot({
      path: testInfo.outputPath("lab-board.png"),
      fullPage: true,
    });

    // The facilitator reveals step 3's solution; the attendee's open step shows it without asking.
    await facilitatorPage
      .getByRole("button", { name: "Reveal the solution of A shell that stays step 3 to everyone" })
      .click();
    await expect(lab.currentStep().getByTestId("revealed-by-facilitator")).toBeVisible();
    await expect(lab.currentStep().getByTestId("step-solution")).toContainText("touch /etc/mine");
  } finally {
    await facilitatorContext.close();
    await attendeeContext.close();
  }
});
