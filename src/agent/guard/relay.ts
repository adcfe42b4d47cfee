// The guard's relay between an MCP client and the server it wraps: messages pass both ways unchanged, except
// that blocked capabilities are taken out of list results, and a call to a blocked or expired one is answered
// with an error that says why, without reaching the server. Every call is audited.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { CapabilityKind } from '../../shared/inventory.js';
import { type Decision, type Policy, evaluate, isBlocked } from '../../shared/policy.js';
import { MCP_LISTS } from '../probe/mcp-lists.js';
import { NO_POLICY } from '../policy/decisions.js';
import { argumentsDigest } from './audit-log.js';
import type { AuditEntry } from './audit-log.js';

/** The list methods, by method name. */
const LISTS = new Map(MCP_LISTS.map((list) => [list.method as string, list]));

/** Methods that use one capability, and where its name is in the params. */
const CALLS: Record<string, { kind: CapabilityKind; key: string }> = {
  'tools/call': { kind: 'tool', key: 'name' },
  'prompts/get': { kind: 'prompt', key: 'name' },
  'resources/read': { kind: 'resource', key: 'uri' },
};

/** The JSON-RPC error code of a refused call (in the implementation-defined server error range). */
export const BLOCKED_ERROR_CODE = -32003;

export interface GuardSubject {
  serverId: string;
  serverKey: string;
  serverName: string;
  /** The clients whose config entry the guard stands in (several when they share a file). */
  clients: string[];
  url?: string | undefined;
}

export interface RelayOptions {
  subject: GuardSubject;
  policy: () => Policy | undefined;
  deviceIps: () => string[];
  now?: () => Date;
  toClient: (message: JSONRPCMessage) => void;
  toServer: (message: JSONRPCMessage) => void;
  audit: (entry: Omit<AuditEntry, 'at' | 'user' | 'deviceId' | 'serverId' | 'serverKey' | 'serverName' | 'agent'>) => void;
  /** Capabilities seen in list results (passive inventory). */
  onListed?: (kind: CapabilityKind, items: Record<string, unknown>[]) => void;
}

type Pending = {
  method: string;
  started: number;
  capability?: { kind: CapabilityKind; name: string };
  args?: unknown;
  decision?: Decision;
};

type Message = {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: unknown;
};

export class GuardRelay {
  private readonly pending = new Map<string | number, Pending>();
  private readonly now: () => Date;

  constructor(private readonly options: RelayOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The decision here and now; for an entry several clients share, the strictest of theirs. */
  private decide(capability?: { kind: CapabilityKind; name: string }): Decision {
    const policy = this.options.policy();
    if (!policy) return NO_POLICY;
    const { serverKey, clients, url } = this.options.subject;
    const context = { now: this.now(), deviceIps: this.options.deviceIps() };
    const decisions = clients.map((client) => evaluate(policy, { serverKey, agent: client, url, capability }, context));
    return decisions.find(isBlocked) ?? decisions[0]!;
  }

  /** Whether an answer the server gives may leave here changed: only a list's (blocked capabilities taken out). */
  get rewritesAnswers(): boolean {
    for (const pending of this.pending.values()) if (LISTS.has(pending.method)) return true;
    return false;
  }

  /** A message from the client, on its way to the server. */
  fromClient(message: JSONRPCMessage): void {
    const request = message as Message;
    if (request.method !== undefined && request.id !== undefined) {
      const call = CALLS[request.method];
      if (call) {
        const name = String(request.params?.[call.key] ?? '');
        const capability = { kind: call.kind, name };
        const decision = this.decide(capability);
        const args = request.params?.arguments;
        if (isBlocked(decision)) {
          // Answered here: the server never sees a blocked call.
          this.options.toClient({
            jsonrpc: '2.0',
            id: request.id,
            error: { code: BLOCKED_ERROR_CODE, message: `Blocked by your organisation: ${decision.reason}`, data: { decision } },
          } as JSONRPCMessage);
          this.options.audit({
            capability,
            decision: 'deny',
            reason: decision.reason,
            durationMs: 0,
            argumentsDigest: argumentsDigest(args),
            outcome: 'denied',
          });
          return;
        }
        this.pending.set(request.id, { method: request.method, started: performance.now(), capability, args, decision });
      } else if (LISTS.get(request.method)) {
        this.pending.set(request.id, { method: request.method, started: performance.now() });
      }
    }
    this.options.toServer(message);
  }

  /** A message from the server, on its way to the client. */
  fromServer(message: JSONRPCMessage): void {
    const response = message as Message;
    const pending = response.id !== undefined && response.method === undefined ? this.pending.get(response.id) : undefined;
    if (pending) {
      this.pending.delete(response.id!);
      const list = LISTS.get(pending.method);
      if (list && response.result && Array.isArray(response.result[list.field])) {
        const items = response.result[list.field] as Record<string, unknown>[];
        this.options.onListed?.(list.kind, items);
        const allowed = items.filter((item) => !isBlocked(this.decide({ kind: list.kind, name: String(item[list.key] ?? '') })));
        if (allowed.length !== items.length) {
          this.options.toClient({ ...message, result: { ...response.result, [list.field]: allowed } } as JSONRPCMessage);
          return;
        }
      } else if (pending.capability) {
        // The answer goes out first; the audit entry follows it, off the response path.
        this.options.toClient(message);
        const failed = response.error !== undefined || response.result?.isError === true;
        this.options.audit({
          capability: pending.capability,
          decision: 'allow',
          reason: pending.decision?.reason ?? '',
          durationMs: Math.round((performance.now() - pending.started) * 1000) / 1000,
          argumentsDigest: argumentsDigest(pending.args),
          outcome: failed ? 'error' : 'ok',
        });
        return;
      }
    }
    this.options.toClient(message);
  }
}
