export * from './catalog-model.types';
export { MODEL_CATALOG } from './model-catalog.data';
export { ModelIndex } from './model-index';
export { DEFAULT_MODEL_INDEX, findModel, modelsOfKind } from './model-lookup';
export { costUsd, priceOf } from './model-cost';
export * from './provider-model-catalog';
export { genAiProviderName } from './provider-name.mapping';
export * from './first-token-timeout';
