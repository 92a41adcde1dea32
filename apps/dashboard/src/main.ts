// The dashboard's wiring: sign in with the admin token (kept in sessionStorage only), build the
// panels, route every error to the alert region; a 401 from the API ends the session.
import { AdminApi, UnauthorizedError } from './admin-api.js';
import { createAnalyticsView } from './analytics.view.js';
import { createApiKeysView } from './api-keys.view.js';
import { clear } from './dom.js';
import { createFallbacksView } from './fallbacks.view.js';
import { createModelsView } from './models.view.js';
import { createProviderKeysView } from './provider-keys.view.js';
import { createProvidersView } from './providers.view.js';
import { createRoutingPoliciesView } from './routing-policies.view.js';
import { createTeamsView } from './teams.view.js';
import type { View, ViewContext } from './view-context.js';

const TOKEN_KEY = 'ai-gateway.admin-token';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks #${id}`);
  return element as T;
}

const signIn = byId<HTMLElement>('sign-in');
const signInForm = byId<HTMLFormElement>('sign-in-form');
const tokenInput = byId<HTMLInputElement>('admin-token');
const signInError = byId<HTMLElement>('sign-in-error');
const app = byId<HTMLElement>('app');
const panels = byId<HTMLElement>('panels');
const statusRegion = byId<HTMLElement>('status');
const alertRegion = byId<HTMLElement>('alert');
const signOutButton = byId<HTMLButtonElement>('sign-out');

let views: View[] = [];
let statusTimer: ReturnType<typeof setTimeout> | undefined;

function notify(message: string): void {
  alertRegion.textContent = '';
  alertRegion.hidden = true;
  statusRegion.textContent = message;
  if (statusTimer) clearTimeout(statusTimer);
  statusTimer = setTimeout(() => (statusRegion.textContent = ''), 8_000);
}

function fail(error: unknown): void {
  if (error instanceof UnauthorizedError) {
    signOut('The admin token was refused (401). Sign in again.');
    return;
  }
  alertRegion.textContent = error instanceof Error ? error.message : String(error);
  alertRegion.hidden = false;
}

function showSignIn(message?: string): void {
  app.hidden = true;
  signIn.hidden = false;
  signInError.textContent = message ?? '';
  signInError.hidden = !message;
  tokenInput.focus();
}

function signOut(message?: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  for (const view of views) view.dispose?.();
  views = [];
  clear(panels);
  statusRegion.textContent = '';
  alertRegion.textContent = '';
  alertRegion.hidden = true;
  showSignIn(message);
}

async function open(token: string): Promise<void> {
  const api = new AdminApi({ token });
  const ctx: ViewContext = { api, notify, fail };
  const providers = createProvidersView(ctx);
  const providerKeys = createProviderKeysView(ctx);
  const fallbacks = createFallbacksView(ctx);
  const routingPolicies = createRoutingPoliciesView(ctx);
  const apiKeys = createApiKeysView(ctx);
  const teams = createTeamsView(ctx);
  const analytics = createAnalyticsView(ctx);
  const models = createModelsView(ctx);
  providers.onChange = () => void providerKeys.refresh().catch(fail);
  teams.onChange = () => void apiKeys.refresh().catch(fail);
  const next = [providers, providerKeys, fallbacks, routingPolicies, models, teams, apiKeys, analytics];
  // The first call checks the token before anything is shown.
  await providers.refresh();
  sessionStorage.setItem(TOKEN_KEY, token);
  views = next;
  clear(panels);
  for (const view of views) panels.appendChild(view.element);
  signIn.hidden = true;
  app.hidden = false;
  const results = await Promise.allSettled(views.filter((v) => v !== providers).map((v) => v.refresh()));
  for (const result of results) if (result.status === 'rejected') fail(result.reason);
  analytics.start();
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  tokenInput.value = '';
  if (!token) return showSignIn('Paste the admin token.');
  void open(token).catch((error: unknown) => {
    if (error instanceof UnauthorizedError) showSignIn('That admin token was refused.');
    else showSignIn(error instanceof Error ? error.message : String(error));
  });
});

signOutButton.addEventListener('click', () => signOut('Signed out.'));

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  void open(saved).catch((error: unknown) => {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(error instanceof UnauthorizedError ? 'Your session ended: the admin token was refused. Sign in again.' : error instanceof Error ? error.message : String(error));
  });
} else {
  showSignIn();
}
