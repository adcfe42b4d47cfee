// The agent's version, from package.json (three folders up from both src/agent/platform and dist/agent/platform).
import { createRequire } from 'node:module';

export const AGENT_VERSION: string = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
