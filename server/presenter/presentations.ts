// Presentations: held in memory, written through to the data folder when a persistence is given, so a
// server restart mid-talk keeps the presentation, its step and its presenter token (not its runs).
import { randomBytes } from "node:crypto";
import type { PresentationState } from "../../lib/api/presenter";
import { isValidPosition, type OutlineDemo, type TrackPosition } from "../../lib/demos/track-steps";
import { PlaygroundError } from "../errors/playground-error";
import type { PresentationPersistence, StoredPresentation } from "./presentation-file";
import { createPresenterToken, tokenMatches } from "./presenter-token";

export interface PresentationLimits {
  /** Presentations held at once; past it, creating one is refused until the oldest idle ones expire. */
  maxPresentations: number;
  /** Presentations one visitor holds at once (its oldest makes room), so one visitor cannot take every slot. */
  maxPerVisitor: number;
  /**
   * Presentations from one address, over all its visitors: a backstop against minted cookies. Past it a new
   * one is refused; evicting would let one visitor behind a shared address end another's talk.
   */
  maxPerAddress: number;
  /** A presentation nobody has driven for this long is forgotten. */
  idleMs: number;
}

export const defaultPresentationLimits: PresentationLimits = {
  maxPresentations: 100,
  maxPerVisitor: 10,
  maxPerAddress: 50,
  idleMs: 12 * 60 * 60 * 1000,
};

export interface NewPresentation {
  track: { slug: string; title: string };
  outline: OutlineDemo[];
  presenter: string;
  /** The visitor that asked (see quotaKeyOf). */
  owner: string;
  /** The address it asked from (see requesterOf). */
  address: string;
}

interface Presentation {
  owner: string;
  address: string;
  state: PresentationState;
  tokenHash: Buffer;
  touchedAt: number;
}

export class PresentationStore {
  private readonly presentations = new Map<string, Presentation>();

  constructor(
    private readonly limits: PresentationLimits = defaultPresentationLimits,
    private readonly now: () => number = Date.now,
    private readonly persistence: PresentationPersistence | null = null,
  ) {
    for (const stored of persistence?.load() ?? []) {
      this.presentations.set(stored.state.id, {
        owner: stored.owner,
        // A file written before visitors were told apart: its owner was the address.
        address: stored.address ?? stored.owner,
        // The runs of before the restart are gone (the engine reaps them at start).
        state: { ...stored.state, runs: [], terminals: [] },
        tokenHash: Buffer.from(stored.tokenHash, "hex"),
        touchedAt: stored.touchedAt,
      });
    }
    this.expire();
  }

  create(input: NewPresentation): { state: PresentationState; presenterToken: string } {
    this.expire();
    // A speaker who rehearses starts many presentations from one address: their least recently driven
    // one makes room for the new one, so a cap never locks a speaker out.
    const owned = [...this.presentations]
      .filter(([, p]) => p.owner === input.owner)
      .sort(([, a], [, b]) => a.touchedAt - b.touchedAt);
    const fromAddress = [...this.presentations.values()].filter(
      (p) => p.address === input.address && p.owner !== input.owner,
    ).length;
    const evicted = Math.max(0, owned.length - this.limits.maxPerVisitor + 1);
    if (fromAddress + owned.length - evicted >= this.limits.maxPerAddress)
      throw new PlaygroundError(
        "quota",
        "presentations_per_address",
        `Your network already holds ${this.limits.maxPerAddress} presentations (at most per address); try again when one has ended.`,
      );
    for (const [id] of owned.slice(0, evicted)) this.presentations.delete(id);
    if (this.presentations.size >= this.limits.maxPresentations)
      throw new PlaygroundError(
        "quota",
        "presentations",
        `This host already holds ${this.limits.maxPresentations} presentations; try again when one has ended.`,
      );
    const first = input.outline[0];
    if (!first)
      throw new PlaygroundError(
        "conflict",
        "track",
        `Track "${input.track.title}" has no demos yet.`,
      );
    const id = randomBytes(9).toString("base64url");
    const { token, hash } = createPresenterToken();
    const state: PresentationState = {
      id,
      track: input.track,
      presenter: input.presenter,
      outline: input.outline,
      demo: first.slug,
      step: 0,
      runs: [],
      terminals: [],
      version: 0,
    };
    this.presentations.set(id, {
      owner: input.owner,
      address: input.address,
      state,
      tokenHash: hash,
      touchedAt: this.now(),
    });
    this.save();
    return { state, presenterToken: token };
  }

  get(id: string): PresentationState {
    return this.find(id).state;
  }

  /** Moves the presentation to a step; moving to another demo forgets the runs announced for the last one. */
  goTo(id: string, token: string, position: TrackPosition): PresentationState {
    const presentation = this.authorize(id, token);
    if (!isValidPosition(presentation.state.outline, position))
      throw new PlaygroundError(
        "bad_request",
        "step",
        `Step ${position.step + 1} of demo "${position.demo}" is not part of this track.`,
      );
    const sameDemo = presentation.state.demo === position.demo;
    return this.update(presentation, {
      demo: position.demo,
      step: position.step,
      runs: sameDemo ? presentation.state.runs : [],
    });
  }

  /** `exists` is asked only once the token matched, so a stranger learns nothing about which run ids exist. */
  announceRuns(
    id: string,
    token: string,
    runIds: string[],
    exists: (runId: string) => boolean,
  ): PresentationState {
    const presentation = this.authorize(id, token);
    const unknown = runIds.find((runId) => !exists(runId));
    if (unknown !== undefined)
      throw new PlaygroundError("not_found", "run", `No run with id "${unknown}".`);
    return this.update(presentation, { runs: [...new Set(runIds)] });
  }

  /** The presenter's terminals for the audience to watch; `own` is asked only once the token matched. */
  announceTerminals(
    id: string,
    token: string,
    terminalIds: string[],
    own: (terminalId: string) => boolean,
  ): PresentationState {
    const presentation = this.authorize(id, token);
    const foreign = terminalIds.find((terminalId) => !own(terminalId));
    if (foreign !== undefined)
      throw new PlaygroundError("not_found", "terminal", `No terminal with id "${foreign}".`);
    return this.update(presentation, { terminals: [...new Set(terminalIds)] });
  }

  /** Whether a live presentation mirrors this terminal: then anyone following may read it. */
  mirrors(terminalId: string): boolean {
    this.expire();
    return [...this.presentations.values()].some((p) => p.state.terminals.includes(terminalId));
  }

  private authorize(id: string, token: string): Presentation {
    const presentation = this.find(id);
    if (!tokenMatches(presentation.tokenHash, token))
      throw new PlaygroundError(
        "forbidden",
        "presenter",
        "Only the presenter can change this presentation; nothing was changed.",
      );
    return presentation;
  }

  private update(
    presentation: Presentation,
    change: Partial<PresentationState>,
  ): PresentationState {
    presentation.state = {
      ...presentation.state,
      ...change,
      version: presentation.state.version + 1,
    };
    presentation.touchedAt = this.now();
    this.save();
    return presentation.state;
  }

  private find(id: string): Presentation {
    this.expire();
    const presentation = this.presentations.get(id);
    if (!presentation)
      throw new PlaygroundError(
        "not_found",
        "presentation",
        "No presentation with this id: it has ended, or the link is mistyped.",
      );
    return presentation;
  }

  private expire(): void {
    const cutoff = this.now() - this.limits.idleMs;
    let expired = false;
    for (const [id, presentation] of this.presentations) {
      if (presentation.touchedAt >= cutoff) continue;
      this.presentations.delete(id);
      expired = true;
    }
    if (expired) this.save();
  }

  private save(): void {
    if (!this.persistence) return;
    const stored: StoredPresentation[] = [...this.presentations.values()].map((p) => ({
      owner: p.owner,
      address: p.address,
      state: p.state,
      tokenHash: p.tokenHash.toString("hex"),
      touchedAt: p.touchedAt,
    }));
    this.persistence.save(stored);
  }
}
