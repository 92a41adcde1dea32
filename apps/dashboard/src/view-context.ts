import type { AdminApi } from './admin-api.js';

/** What every panel gets from main.ts. */
export interface ViewContext {
  api: AdminApi;
  /** A success or progress message in the page's status region. */
  notify(message: string): void;
  /** An error from the API or the browser: shown in the alert region (a 401 ends the session). */
  fail(error: unknown): void;
}

export interface View {
  element: HTMLElement;
  refresh(): Promise<void>;
  dispose?(): void;
}
