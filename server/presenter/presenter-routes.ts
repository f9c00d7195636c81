// POST /api/presentations starts presenting a track; GET reads a presentation's public state.
import { CreatePresentationBodySchema } from "../../lib/api/presenter";
import type { GuidedTrack } from "../../lib/demos/schema";
import { outlineOf } from "../../lib/demos/track-steps";
import { PlaygroundError } from "../errors/playground-error";
import { idPattern, type ApiRoute } from "../http/api-router";
import { quotaKeyOf } from "../http/requester";
import type { PresentationStore } from "./presentations";

export interface PresenterRoutesContext {
  presentations: PresentationStore;
  /** The tracks as the demos folder defines them now (read per request: content can change under a dev server). */
  loadTracks: () => GuidedTrack[];
}

export function presenterRoutes(ctx: PresenterRoutesContext): ApiRoute[] {
  return [
    {
      method: "POST",
      pattern: /^\/api\/presentations$/,
      handler: async (request) => {
        const body = await request.body(CreatePresentationBodySchema, "presentation request");
        const track = ctx.loadTracks().find((t) => t.slug === body.track);
        if (!track)
          throw new PlaygroundError("not_found", "track", `No track "${body.track}" on this host.`);
        const { state, presenterToken } = ctx.presentations.create({
          track: { slug: track.slug, title: track.title },
          outline: outlineOf(track.demos),
          presenter: body.presenter ?? "the presenter",
          owner: quotaKeyOf(request.requester),
          address: request.requester.address,
        });
        return {
          status: 201,
          body: { id: state.id, presenterToken, audienceUrl: `/watch/${state.id}` },
        };
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/presentations/(?<id>${idPattern})$`),
      handler: async ({ params }) => ({
        status: 200,
        body: ctx.presentations.get(params.id ?? ""),
      }),
    },
  ];
}
