// The agent's commands and the reference server's report usage mistakes with one error (src/shared/command.ts).
export { UsageError } from '../../shared/command.js';
