// One place for the window's security, hooked on every web contents the app creates: no new windows, no
// navigation away from the app, no webviews, no permissions, and a strict Content-Security-Policy.
import type { App, Session, WebContents } from 'electron';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Whether a URL is the app's own window (the packaged file or the dev server). */
export function isAppUrl(url: string, appUrls: readonly string[]): boolean {
  return appUrls.some((base) => url === base || url.startsWith(base.endsWith('/') ? base : `${base}#`) || url.startsWith(`${base}?`));
}

export function restrictWebContents(contents: WebContents, appUrls: readonly string[]): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrls)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrls)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function restrictSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function setupSecurityRestrictions(app: App, appUrls: () => readonly string[]): void {
  app.on('web-contents-created', (_event, contents) => restrictWebContents(contents, appUrls()));
  app.on('session-created', (session) => restrictSession(session));
}
