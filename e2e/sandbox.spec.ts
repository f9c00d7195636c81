// /sandbox: a real shell in a runc session, read from the rendered xterm rows, with the host's view beside it.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { SandboxPage } from "./pages/sandbox-page";

test("on runc, typing echo $((6*7)) shows 42 in the terminal, and a reload finds the same shell", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("runc");
  await sandbox.expectRow(/^~ #$/);
  await sandbox.type("echo $((6*7))\n");
  await sandbox.expectRow(/^42$/);
  // The host view lists the session's own init, read from /proc.
  await expect(page.getByTestId("host-processes")).toContainText("sleep 2147483647");
  await expect(page.getByTestId("host-cgroup")).toContainText(/memory\s*[\d.]+ (KiB|MiB) of/);

  await sandbox.type("echo kept > ~/f\n");
  await page.reload();
  await expect(page.getByTestId("terminal-status")).toHaveText(/^Connected/);
  // The screen comes back from the server's backlog, and the shell still has its file.
  await sandbox.expectRow(/^42$/);
  await sandbox.type("cat ~/f\n");
  await sandbox.expectRow(/^kept$/);

  await page.getByRole("button", { name: "End session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("ended");
  await expect(sandbox.terminal()).toHaveCount(0);
});

test("on the microVM, the shell is on the guest's own tty: echo $((6*7)) shows 42, and the host sees QEMU", async ({
  page,
}) => {
  // A cold TCG boot on a loaded host takes tens of seconds.
  test.setTimeout(180_000);
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("QEMU microVM", 120_000);
  await sandbox.expectRow(/^~ #$/, 60_000);
  await sandbox.type("echo $((6*7)); tty\n");
  await sandbox.expectRow(/^42$/, 30_000);
  await sandbox.expectRow(/^\/dev\/hvc0$/, 30_000);
  await expect(page.getByTestId("host-processes")).toContainText(/qemu-system-x86_64 -name sbpg-/);
  await page.getByRole("button", { name: "End session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("ended");
});

test("on gVisor, the host view shows the Sentry, and the page with a live shell passes axe's WCAG 2 AA rules", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("gVisor");
  await sandbox.type("uname -r\n");
  // The Sentry's kernel, not the host's.
  await sandbox.expectRow(/^4\.4\.0$/);
  await expect(page.getByTestId("host-processes")).toContainText(/runsc-sandbox .*boot/);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await page.getByRole("button", { name: "End session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("ended");
});
