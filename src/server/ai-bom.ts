// The fleet's AI bill of materials as CycloneDX 1.6 (built and serialised with the CycloneDX project's own
// library): the AI agents (clients) found on laptops, the MCP servers they load (a package with its package URL
// and the versions the fleet runs, a remote one as a service with its endpoint, a local command by name), each
// capability with the sha256 of its definition, the decisions, and which agent loads which server.
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { ProbeResult } from '../shared/inventory.js';
import type { Policy } from '../shared/policy.js';
import { capabilitiesOf } from '../shared/present.js';
import { clientDisplayName } from '../shared/client-names.js';
import { parseImage } from '../shared/server-keys.js';
import { serverDecision } from './fleet.js';
import { everyPage } from './paging.js';
import type { FleetServer, Storage } from './storage/storage.js';

const PAGE = 500;
/** Devices read per server for the versions the fleet runs: enough to see them, bounded at fleet size. */
const VERSION_SAMPLE = 200;

export interface BomContext {
  storage: Storage;
  policy: Policy;
  now: Date;
  /** This MCP Warden's version, named as the tool that made the document. */
  toolVersion: string;
}

const property = (name: string, value: string) => new Models.Property(`mcpwarden:${name}`, value);

/** The package URL of a package serverKey at a version (npm, PyPI, OCI), as the purl specification spells each. */
function purlOf(serverKey: string, version: string | undefined): string | undefined {
  const [scheme] = serverKey.split(':') as [string];
  const identity = serverKey.slice(scheme.length + 1);
  if (scheme === 'npm') {
    const [namespace, name] = identity.startsWith('@') ? (identity.split('/') as [string, string]) : [undefined, identity];
    return new PackageURL('npm', namespace, name, version).toString();
  }
  if (scheme === 'pypi') return new PackageURL('pypi', undefined, identity, version).toString();
  if (scheme === 'oci') {
    const image = parseImage(identity);
    if (!image) return undefined;
    const slash = image.name.lastIndexOf('/');
    // An OCI package URL is versioned by digest; a tag is a qualifier.
    const digest = version?.startsWith('sha256:') ? version : undefined;
    const qualifiers = { repository_url: image.name, ...(version && !digest ? { tag: version } : {}) };
    return new PackageURL('oci', undefined, image.name.slice(slash + 1), digest, qualifiers).toString();
  }
  return undefined;
}

function capabilityComponents(serverKey: string, probe: ProbeResult | undefined): Models.Component[] {
  return (probe ? capabilitiesOf(probe) : []).map((capability) => {
    const component = new Models.Component(Enums.ComponentType.Data, capability.name, {
      bomRef: `capability:${serverKey}#${capability.kind}:${capability.name}`,
      ...(capability.description ? { description: capability.description } : {}),
    });
    component.hashes.set(Enums.HashAlgorithm['SHA-256'], capability.hash);
    component.properties.add(property('capability:kind', capability.kind));
    for (const risk of capability.risks) component.properties.add(property('risk', `${risk.id}:${risk.severity}`));
    return component;
  });
}

/** The fleet as one CycloneDX JSON document. */
export async function fleetBom(context: BomContext): Promise<string> {
  const { storage, policy, now } = context;
  const bom = new Models.Bom();
  bom.metadata.timestamp = now;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'mcp-warden', { version: context.toolVersion, group: 'dev.mcpwarden' }),
  );
  bom.metadata.component = new Models.Component(Enums.ComponentType.Platform, 'MCP fleet', { bomRef: 'fleet' });

  // Grouped by serverKey: one component per server, whichever agents load it.
  const byKey = new Map<string, FleetServer[]>();
  for await (const server of everyPage((after) => storage.fleetServers({}, { sort: 'name', descending: false, limit: PAGE, after })))
    (byKey.get(server.serverKey) ?? byKey.set(server.serverKey, []).get(server.serverKey)!).push(server);
  const agents = new Map<string, Models.Component>();
  for (const stats of await storage.agentStats()) {
    const agent = new Models.Component(Enums.ComponentType.Application, clientDisplayName(stats.agent), { bomRef: `agent:${stats.agent}` });
    agent.properties.add(property('agent', stats.agent));
    agent.properties.add(property('devices', String(stats.deviceCount)));
    agents.set(stats.agent, agent);
    bom.components.add(agent);
  }

  for (const [serverKey, rows] of byKey) {
    const probe = await storage.latestProbe(serverKey);
    const devices = await storage.serverDevices(serverKey, undefined, { sort: 'firstSeen', descending: true, limit: VERSION_SAMPLE });
    const versions = [
      ...new Set(devices.items.map((row) => row.server.package?.version).filter((version) => version !== undefined)),
    ].sort();
    const properties = [
      property('serverKey', serverKey),
      property('accessType', rows[0]!.accessType),
      property('risk', rows[0]!.risk),
      property('devices', String(rows.reduce((sum, row) => sum + row.deviceCount, 0))),
      ...versions.map((version) => property('version-seen', version)),
      ...rows.map((row) => property(`decision:${row.agent}`, serverDecision(policy, row, now).status)),
    ];
    const ref = `server:${serverKey}`;
    let dependency: Models.BomRef;
    if (serverKey.startsWith('url:')) {
      // A remote server is a service; its endpoint (the URL without credentials or query) is its reference.
      const service = new Models.Service(rows[0]!.name, { bomRef: ref });
      service.externalReferences.add(
        new Models.ExternalReference(serverKey.slice('url:'.length), Enums.ExternalReferenceType.Other, { comment: 'MCP endpoint' }),
      );
      for (const item of properties) service.properties.add(item);
      for (const capability of probe ? capabilitiesOf(probe) : [])
        service.properties.add(property(`capability:${capability.kind}:${capability.name}`, `sha256:${capability.hash}`));
      bom.services.add(service);
      dependency = service.bomRef;
    } else {
      const version = versions.length === 1 ? versions[0] : undefined;
      const purl = purlOf(serverKey, version);
      const component = new Models.Component(Enums.ComponentType.Application, rows[0]!.name, {
        bomRef: ref,
        ...(version ? { version } : {}),
        ...(purl ? { purl } : {}),
        ...(serverKey.startsWith('cmd:') ? { description: 'a local command' } : {}),
      });
      for (const item of properties) component.properties.add(item);
      for (const capability of capabilityComponents(serverKey, probe)) component.components.add(capability);
      bom.components.add(component);
      dependency = component.bomRef;
    }
    for (const row of rows) agents.get(row.agent)?.dependencies.add(dependency);
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true });
}
