// Links in a terminal's text: web addresses found in each rendered line, opened in a new tab on click.
import type { ILinkProvider, Terminal } from "@xterm/xterm";

/** http(s) addresses; a trailing full stop, comma or closing bracket is the sentence's, not the link's. */
const urlPattern = /https?:\/\/[^\s"'<>`]+[^\s"'<>`.,;:!?)\]}]/g;

/** The addresses in one line of text, with their columns (0-based start, exclusive end). */
export function findUrls(line: string): Array<{ url: string; start: number; end: number }> {
  return [...line.matchAll(urlPattern)].map((match) => ({
    url: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** What addon-web-links does, in a few lines of xterm's own link API. */
export function webLinkProvider(terminal: Terminal): ILinkProvider {
  return {
    provideLinks(y, callback) {
      const line = terminal.buffer.active.getLine(y - 1)?.translateToString(true) ?? "";
      const links = findUrls(line).map(({ url, start, end }) => ({
        text: url,
        range: { start: { x: start + 1, y }, end: { x: end, y } },
        activate: () => void window.open(url, "_blank", "noopener,noreferrer"),
      }));
      callback(links.length > 0 ? links : undefined);
    },
  };
}
