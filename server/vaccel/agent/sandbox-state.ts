// Sessions and resources of one connected sandbox; ids are agent-wide, visibility is per sandbox.
import { StatusCode } from "../ttrpc/status-code";
import { TtrpcError } from "../ttrpc/ttrpc-error";
import type { AgentBlob, AgentResource, AgentSession } from "./accel-backend";
import type { AgentLimits } from "./agent-limits";

interface SessionEntry {
  id: number;
  flags: number;
  resourceIds: Set<number>;
}

interface ResourceEntry extends AgentResource {
  bytes: number;
  sessionIds: Set<number>;
}

/** vAccel numbers sessions and resources from 1 in one agent; 0 and below mean "none". */
export class IdCounter {
  private next = 1;
  take(): number {
    return this.next++;
  }
}

export class SandboxState {
  private readonly sessions = new Map<number, SessionEntry>();
  private readonly resources = new Map<number, ResourceEntry>();
  private resourceBytes = 0;

  constructor(
    private readonly limits: AgentLimits,
    private readonly sessionIds: IdCounter,
    private readonly resourceIds: IdCounter,
  ) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  get resourceCount(): number {
    return this.resources.size;
  }

  get heldBytes(): number {
    return this.resourceBytes;
  }

  createSession(flags: number): number {
    if (this.sessions.size >= this.limits.maxSessionsPerSandbox) {
      throw new TtrpcError(
        StatusCode.RESOURCE_EXHAUSTED,
        `this sandbox already has ${this.sessions.size} sessions (limit ${this.limits.maxSessionsPerSandbox})`,
      );
    }
    const id = this.sessionIds.take();
    this.sessions.set(id, { id, flags, resourceIds: new Set() });
    return id;
  }

  updateSession(id: number, flags: number): void {
    this.requireSession(id).flags = flags;
  }

  /** Destroys the session; resources no other session holds are freed with it. */
  destroySession(id: number): void {
    const session = this.requireSession(id);
    for (const resourceId of session.resourceIds) this.detach(resourceId, id);
    this.sessions.delete(id);
  }

  /** The newest vaccel-rpc-agent: resource_id <= 0 creates a resource from blobs, > 0 registers an existing one. */
  registerResource(
    sessionId: number,
    resourceId: number,
    create: () => { type: number; blobs: AgentBlob[] },
  ): number {
    const session = this.requireSession(sessionId);
    if (resourceId > 0) {
      const existing = this.requireResource(resourceId);
      existing.sessionIds.add(sessionId);
      session.resourceIds.add(resourceId);
      return resourceId;
    }
    const { type, blobs } = create();
    if (this.resources.size >= this.limits.maxResourcesPerSandbox) {
      throw new TtrpcError(
        StatusCode.RESOURCE_EXHAUSTED,
        `this sandbox already has ${this.resources.size} resources (limit ${this.limits.maxResourcesPerSandbox})`,
      );
    }
    const bytes = blobs.reduce((sum, blob) => sum + blob.data.length, 0);
    if (this.resourceBytes + bytes > this.limits.maxResourceBytesPerSandbox) {
      throw new TtrpcError(
        StatusCode.RESOURCE_EXHAUSTED,
        `registering ${bytes} bytes would exceed this sandbox's ${this.limits.maxResourceBytesPerSandbox}-byte resource limit`,
      );
    }
    const id = this.resourceIds.take();
    this.resources.set(id, { id, type, blobs, bytes, sessionIds: new Set([sessionId]) });
    this.resourceBytes += bytes;
    session.resourceIds.add(id);
    return id;
  }

  unregisterResource(sessionId: number, resourceId: number): void {
    const resource = this.requireResource(resourceId);
    const session = this.requireSession(sessionId);
    if (!resource.sessionIds.has(sessionId)) {
      throw new TtrpcError(
        StatusCode.INVALID_ARGUMENT,
        `Resource ${resourceId} is not registered with session ${sessionId}`,
      );
    }
    session.resourceIds.delete(resourceId);
    this.detach(resourceId, sessionId);
  }

  /** The backend's view of a session: ids, flags and registered resources. */
  sessionView(id: number): AgentSession {
    const session = this.requireSession(id);
    const resources = [...session.resourceIds].map((resourceId) => {
      const { id: rid, type, blobs } = this.resources.get(resourceId) as ResourceEntry;
      return { id: rid, type, blobs };
    });
    return { id, flags: session.flags, resources };
  }

  /** Frees everything; the connection is gone. */
  clear(): void {
    this.sessions.clear();
    this.resources.clear();
    this.resourceBytes = 0;
  }

  private detach(resourceId: number, sessionId: number): void {
    const resource = this.resources.get(resourceId);
    if (!resource) return;
    resource.sessionIds.delete(sessionId);
    if (resource.sessionIds.size === 0) {
      this.resources.delete(resourceId);
      this.resourceBytes -= resource.bytes;
    }
  }

  private requireSession(id: number): SessionEntry {
    const session = this.sessions.get(id);
    // Wording and code as vaccel-rpc-agent replies (AgentServiceError::NotFound("Unknown session N")).
    if (!session) throw new TtrpcError(StatusCode.NOT_FOUND, `Unknown session ${id}`);
    return session;
  }

  private requireResource(id: number): ResourceEntry {
    const resource = this.resources.get(id);
    if (!resource) throw new TtrpcError(StatusCode.NOT_FOUND, `Unknown resource ${id}`);
    return resource;
  }
}
