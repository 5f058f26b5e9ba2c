/** What the desktop page (viewer.ts) and the phone page (sender.ts) share. */

/**
 * One peer id per tab and room, kept across reloads: a reload then replaces its old
 * connection at once, even one the server has not yet noticed as dead (a new id would
 * find its place in the room taken until the server's idle timeout).
 */
export function tabPeerId(room: string): string {
  const key = `vidai-peer-${room}`;
  const id = sessionStorage.getItem(key) ?? crypto.randomUUID();
  sessionStorage.setItem(key, id);
  return id;
}

/** Shows an error in the page's `#error` element. */
export function showError(error: { code?: string; message: string }): void {
  document.getElementById('error')!.textContent = `${error.code ?? 'error'}: ${error.message}`;
}
