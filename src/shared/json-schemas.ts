// The protocol's zod schemas as JSON Schema, for implementers of agents or endpoints in other languages.
// `npm run schemas` writes them to docs/schemas/; a test fails when the files are out of date.
import { z } from 'zod';
import { ScanResult } from './inventory.js';
import { Policy, RuleInput } from './policy.js';
import { EnrollRequest, EnrollResponse, ErrorBody, EventBatch, EventBatchResponse, InventoryReport, ReportResponse } from './protocol.js';

const SCHEMAS: Record<string, z.ZodType> = {
  'enroll-request': EnrollRequest,
  'enroll-response': EnrollResponse,
  'inventory-report': InventoryReport,
  'report-response': ReportResponse,
  policy: Policy,
  'event-batch': EventBatch,
  'event-batch-response': EventBatchResponse,
  'rule-input': RuleInput,
  error: ErrorBody,
  'scan-result': ScanResult,
};

/** File name (without `.json`) → JSON Schema (draft 2020-12). */
export function protocolJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(SCHEMAS).map(([name, schema]) => [
      name,
      { $id: `urn:mcp-warden:schema:v1:${name}`, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
    ]),
  );
}
