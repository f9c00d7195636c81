// A demo's Markdown body in the browser: a run block's Run runs its command in the demo runner, Copy copies
// it, and an image of the demo's own folder is served (with the CSP that keeps an SVG's scripts off).
import { expect, test } from "@playwright/test";
import { DemoPage } from "./pages/demo-page";

test("a run block's Run fills the demo runner's command and runs it", async ({
  page,
}, testInfo) => {
  const demo = new DemoPage(page);
  await demo.open("containers-vs-vms");
  await demo.selectOnly(["runc"]);

  const block = page.getByTestId("run-block");
  await expect(block.locator("code")).toHaveText("grep ' / ' /proc/mounts");
  await block.getByRole("button", { name: "Run" }).click();

  const workload = page.getByRole("region", { name: "Workload" });
  // The runner shows the command shell-quoted: sh -c 'grep '\'' / '\'' /proc/mounts'.
  await expect(workload.locator("pre").first()).toContainText("/proc/mounts");
  await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
  // One line of /proc/mounts, the root's: device, " / ", filesystem type.
  await expect(demo.logText("runc")).toHaveText(/^\S+ \/ \S+ /m);
  await expect(demo.logText("runc")).not.toContainText("kernel:");

  await page.screenshot({ path: testInfo.outputPath("run-block.png"), fullPage: true });

  await page.getByRole("button", { name: "Back to the demo's command" }).click();
  await expect(workload.locator("pre").first()).not.toContainText("/proc/mounts");
});

test("a run block's Copy puts its command on the clipboard", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const demo = new DemoPage(page);
  await demo.open("hello-sandbox");
  const block = page.getByTestId("run-block");
  await block.getByRole("button", { name: "Copy" }).click();
  await expect(block.getByRole("status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'echo "Hello from $(hostname)"; uname -sr; id',
  );
});

test("an image of the demo's own folder is shown and served with a sandboxing CSP", async ({
  page,
}) => {
  await new DemoPage(page).open("containers-vs-vms");
  const image = page.getByRole("img", { name: /^Three stacks:/ });
  await expect(image).toBeVisible();
  await expect(image).toHaveAttribute("src", "/demos/containers-vs-vms/files/stacks.svg");
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  const reply = await page.request.get("/demos/containers-vs-vms/files/stacks.svg");
  expect(reply.status()).toBe(200);
  expect(reply.headers()["content-type"]).toBe("image/svg+xml");
  expect(reply.headers()["content-security-policy"]).toContain("sandbox");
  expect((await page.request.get("/demos/containers-vs-vms/files/index.md")).status()).toBe(404);
});
