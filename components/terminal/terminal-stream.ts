// A terminal's output arrives live and, after an attach, replayed: offsets say which characters are new.

/** Of a chunk at `offset`, the part after the `received` characters already shown; "" when none is new. */
export function newPart(received: number, chunk: { offset: number; data: string }): string {
  const end = chunk.offset + chunk.data.length;
  if (end <= received) return "";
  // A gap (output older than the backlog reaches) is shown from where the server still has it.
  return chunk.data.slice(Math.max(0, received - chunk.offset));
}
