export { startFakeAzureOpenAi } from './fake-azure-openai.server';
export { startFakeEntra, type FakeEntra, type FakeEntraClient, type FakeEntraOptions } from './fake-entra.server';
export {
  DEFAULT_API_VERSIONS,
  DEFAULT_DEPLOYMENTS,
  FAKE_AZURE_API_KEY,
  type FakeAzureOpenAi,
  type FakeAzureOptions,
  type FakeAzureRequest,
  type FakeAzureScenario,
} from './fake-azure-openai.types';
