// Page objects for presenter mode: the presenter's view (keyboard-driven) and the audience's view.
import { expect, type Locator, type Page } from "@playwright/test";
import { DemoRunnerPanel } from "./demo-runner-panel";
import { LogPaneView } from "./log-pane-view";

export class PresenterPage extends DemoRunnerPanel {
  /** Starts presenting a track from /present and lands on the presenter view. */
  async start(track: string, presenter: string): Promise<void> {
    await this.page.goto("/present");
    await this.page.getByTestId(`track-${track}`).check();
    await this.page.getByTestId("presenter-name").fill(presenter);
    await this.page.getByTestId("start-presenting").click();
    await expect(this.page).toHaveURL(/\/present\/[A-Za-z0-9_-]+$/);
    await expect(this.page.getByTestId("presenter-connection")).toHaveText("Live");
    await expect(this.stepPosition()).toBeVisible();
  }

  presentationId(): string {
    return new URL(this.page.url()).pathname.split("/").pop()!;
  }

  /** The audience link as shown on the projector. */
  async joinUrl(): Promise<string> {
    return (await this.page.getByTestId("join-link").getAttribute("href"))!;
  }

  qrCode(): Locator {
    return this.page.getByTestId("join-qr");
  }

  /** A key as the presenter presses it, with nothing focused that would take it for itself. */
  async press(key: string): Promise<void> {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await this.page.keyboard.press(key);
  }

  stepPosition(): Locator {
    return this.page.getByTestId("step-position");
  }

  helpOverlay(): Locator {
    return this.page.getByTestId("help-overlay");
  }
}

export class AudiencePage {
  constructor(readonly page: Page) {}

  async open(path: string): Promise<void> {
    await this.page.goto(path);
    await expect(this.page.getByTestId("audience-connection")).toHaveText("Live");
  }

  following(): Locator {
    return this.page.getByTestId("following");
  }

  stepPosition(): Locator {
    return this.page.getByTestId("step-position");
  }

  followedRun(runtime: string): Locator {
    return this.page.getByTestId(`followed-run-${runtime}`);
  }

  followedLog(runtime: string): Locator {
    return this.page.getByTestId(`followed-log-${runtime}`);
  }

  /** The followed run's log as it is seen: the terminal's drawn rows as well as the plain-text log. */
  followedLogPane(runtime: string): LogPaneView {
    return new LogPaneView(this.followedRun(runtime), this.followedLog(runtime));
  }
}
