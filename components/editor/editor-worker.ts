// Monaco's editor worker (diffs, word suggestions, links), bundled with the site so no request leaves the host.
import "monaco-editor/editor/editor.worker.js";
