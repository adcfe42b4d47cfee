// The endpoint's version, from package.json (two folders up from both src/server and dist/server).
import { createRequire } from 'node:module';

export const SERVER_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
