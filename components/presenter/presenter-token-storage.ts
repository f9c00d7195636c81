// The presenter's token stays in this tab's sessionStorage: never in a URL, gone when the tab closes.
const keyOf = (id: string) => `sandbox-playground:presenter-token:${id}`;

export function savePresenterToken(id: string, token: string): void {
  try {
    window.sessionStorage.setItem(keyOf(id), token);
  } catch {
    // Without storage the presenter view cannot act; it says so.
  }
}

export function readPresenterToken(id: string): string | null {
  try {
    return window.sessionStorage.getItem(keyOf(id));
  } catch {
    return null;
  }
}
