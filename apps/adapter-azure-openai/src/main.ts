import { createLogger } from '@ai-gateway/logging';
import { runService } from '@ai-gateway/service-kit';
import { startTelemetry } from '@ai-gateway/telemetry';
import { createApp } from './app';

const logger = createLogger({ service: 'adapter-azure-openai', level: process.env.LOG_LEVEL, file: process.env.LOG_FILE });
const telemetry = startTelemetry('adapter-azure-openai');
runService(() => createApp(process.env, logger), logger, () => telemetry.shutdown());
