// For everyone: every page passes axe's WCAG 2 A/AA rules (contrast, names, landmarks), fits a phone
// without sideways scrolling, and starts keyboard navigation at a visible "Skip to content".
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { DemoPage } from "./pages/demo-page";
import { PresenterPage } from "./pages/presenter-page";

const pages = [
  "/",
  "/demos",
  "/demos/hello-sandbox",
  "/demos/containers-vs-vms",
  "/lab",
  "/vaccel",
  "/serverless",
  "/present",
  "/workshops",
  "/workshops/join",
  "/host",
];

async function wcagViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    // Monaco's own hidden textarea and overflow guards are the editor's, not the page's.
    .exclude(".monaco-editor")
    .analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

for (const path of pages) {
  test(`${path} passes axe's WCAG 2 AA rules`, async ({ page }) => {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    expect(await wcagViolations(page)).toEqual([]);
  });
}

test("a demo with a finished run (log, timings, chart) passes axe's WCAG 2 AA rules", async ({
  page,
}) => {
  const demo = new DemoPage(page);
  await demo.open("hello-sandbox");
  await demo.selectOnly(["runc"]);
  await demo.run();
  await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
  await expect(demo.timingChart()).toBeVisible();
  expect(await wcagViolations(page)).toEqual([]);
});

test("the presenter's projector theme passes axe's WCAG 2 AA rules", async ({ page }) => {
  const presenter = new PresenterPage(page);
  await presenter.start("containers-and-their-kernel", "Ada");
  await expect(presenter.qrCode().locator("svg")).toBeVisible();
  expect(await wcagViolations(page)).toEqual([]);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  for (const path of pages) {
    test(`${path} needs no sideways scrolling`, async ({ page }) => {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
});

test("the first Tab lands on a visible skip link that moves focus to the content", async ({
  page,
}) => {
  await page.goto("/demos/hello-sandbox");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});
