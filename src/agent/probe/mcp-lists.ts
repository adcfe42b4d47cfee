// MCP's four lists, described once: the method that asks for each, the result field holding its items, the
// field naming an item, the capability kind it yields, and the server capability that declares it. The probe
// asks for them; the guard filters their results.
import {
  ListPromptsResultSchema,
  ListResourceTemplatesResultSchema,
  ListResourcesResultSchema,
  ListToolsResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CapabilityKind } from '../../shared/inventory.js';

export interface McpList {
  kind: CapabilityKind;
  /** How a truncation report names it. */
  label: string;
  method: 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list';
  /** The result field holding the items. */
  field: 'tools' | 'resources' | 'resourceTemplates' | 'prompts';
  /** The item field that names one: what a policy rule targets. */
  key: 'name' | 'uri' | 'uriTemplate';
  /** The server capability that says the list exists. */
  declaredBy: 'tools' | 'resources' | 'prompts';
  resultSchema:
    | typeof ListToolsResultSchema
    | typeof ListResourcesResultSchema
    | typeof ListResourceTemplatesResultSchema
    | typeof ListPromptsResultSchema;
}

export const MCP_LISTS: readonly McpList[] = [
  {
    kind: 'tool',
    label: 'tools',
    method: 'tools/list',
    field: 'tools',
    key: 'name',
    declaredBy: 'tools',
    resultSchema: ListToolsResultSchema,
  },
  {
    kind: 'resource',
    label: 'resources',
    method: 'resources/list',
    field: 'resources',
    key: 'uri',
    declaredBy: 'resources',
    resultSchema: ListResourcesResultSchema,
  },
  {
    kind: 'resource-template',
    label: 'resource templates',
    method: 'resources/templates/list',
    field: 'resourceTemplates',
    key: 'uriTemplate',
    declaredBy: 'resources',
    resultSchema: ListResourceTemplatesResultSchema,
  },
  {
    kind: 'prompt',
    label: 'prompts',
    method: 'prompts/list',
    field: 'prompts',
    key: 'name',
    declaredBy: 'prompts',
    resultSchema: ListPromptsResultSchema,
  },
];
