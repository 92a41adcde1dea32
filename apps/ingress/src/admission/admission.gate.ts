import type { ApiKey } from '@ai-gateway/proto';
import { httpError, type HttpError } from '../openai-http-error';
import { limitsUnavailableAnswer, refusalAnswer } from './admission-refusal';
import { chatMaxOutputTokens, chatPromptTokens, embeddingTokens, estimateOf, worstCasePrice } from './request-cost.estimate';
import { AnsweredRequests } from './answered-requests';
import { hasOwnPolicy, keySubject, teamSubject, type RequestAdmission } from './request-admission';
import type { ApiKeyAuthenticator } from '../api-key.authenticator';
import { isModelAllowed } from '../model-allow-list';

export interface AdmissionGateOptions {
  /** Output tokens reserved for a chat request that names no max_tokens. */
  defaultMaxTokens: number;
  /** How long a reservation outlives the request's deadline before it expires unsettled (the usage event's way to ingress). */
  settleGraceMs: number;
}

export interface AdmissionRequest {
  key: ApiKey;
  model: string;
  operation: 'chat' | 'embeddings';
  body: Record<string, unknown>;
  requestId: string;
  deadlineMs: number;
}

/**
 * The team's model allow-list, then the request's worst case reserved against its key and team
 * (request-admission.ts). Undefined: admitted, or nothing to check; else the client's answer.
 */
export class AdmissionGate {
  private readonly answeredHere: AnsweredRequests;

  constructor(
    private readonly admission: RequestAdmission,
    private readonly directory: Pick<ApiKeyAuthenticator, 'team' | 'fallbackMap' | 'modelCatalog'>,
    private readonly options: AdmissionGateOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.answeredHere = new AnsweredRequests(clock);
  }

  /** The admitted request's answer ended (its response closed): it no longer counts as in flight here. */
  answered(key: ApiKey, requestId: string): void {
    const subjects = hasOwnPolicy(key) ? [keySubject(key.id)] : [];
    if (key.teamId) subjects.push(teamSubject(key.teamId));
    this.answeredHere.add(subjects, requestId);
  }

  /** Whether the key's requests go through admission at all (a key without team, budget or limits does not). */
  applies(key: ApiKey): boolean {
    return this.admission.applies(key);
  }

  async check(request: AdmissionRequest): Promise<HttpError | undefined> {
    const { key, model } = request;
    if (!this.admission.applies(key)) return undefined;
    const team = this.directory.team(key.teamId);
    // A key created while its team was being deleted outlives the team: it must not escape the
    // team's allow-list, budget and limits by losing them.
    if (key.teamId && !team) {
      return httpError(403, 'The team of this API key no longer exists; ask for a key of another team.', 'team_not_found', null, 'permission_error');
    }
    if (team && !isModelAllowed(team.allowedModels, model)) {
      return httpError(403, `The team of this API key may not use the model \`${model}\`.`, 'model_not_allowed', 'model');
    }
    const estimate = estimateOf(
      request.operation === 'chat' ? chatPromptTokens(request.body) : embeddingTokens(request.body),
      request.operation === 'chat' ? chatMaxOutputTokens(request.body, this.options.defaultMaxTokens) : 0,
      worstCasePrice(model, this.directory.fallbackMap(), this.directory.modelCatalog().index),
    );
    const outcome = await this.admission.admit(key, team, request.requestId, estimate, request.deadlineMs + this.options.settleGraceMs, this.answeredHere);
    if (outcome.admitted) return undefined;
    if ('unavailable' in outcome) return limitsUnavailableAnswer();
    return refusalAnswer(outcome.refusal, outcome.holder, this.clock());
  }
}
