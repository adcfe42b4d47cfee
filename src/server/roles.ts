// Which admin role each admin route needs: named on the route (`config: { role }`), else viewer for reads
// and owner for every change, so a change route nobody classified is closed rather than open.
import type { FastifyRequest } from 'fastify';
import { type AdminRole, ROLE_DUTIES, roleAtLeast } from '../shared/admins.js';
import type { ActingAdmin } from './callers.js';
import { endpointOrigin } from './context.js';
import { HttpError } from './errors.js';
import { checkCsrf } from './sign-in/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least admin role that may call the route. */
    role?: AdminRole;
  }
}

const READS = new Set(['GET', 'HEAD']);

export function neededRole(request: FastifyRequest): AdminRole {
  return request.routeOptions.config.role ?? (READS.has(request.method) ? 'viewer' : 'owner');
}

/** The acting admin of an admin request, refused (403, with the role it needs) when their role is too low. */
export function authorize(request: FastifyRequest, publicUrl: string | undefined): ActingAdmin {
  if (request.caller.kind !== 'admin') throw new HttpError(401, 'unauthorized', 'an admin token (or signing in) is required');
  const { admin } = request.caller;
  // A browser's cookie goes along on requests other sites make it send: its changes must prove they are ours.
  if (admin.session) checkCsrf(request, admin.session, endpointOrigin(request, publicUrl));
  const needed = neededRole(request);
  if (!roleAtLeast(admin.role, needed))
    throw new HttpError(
      403,
      'forbidden',
      `this needs the ${needed} role (${ROLE_DUTIES[needed]}); ${admin.email} is ${article(admin.role)} ${admin.role}`,
    );
  return admin;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** The acting admin of a request that passed `authorize`. */
export function actingAdmin(request: FastifyRequest): ActingAdmin {
  if (request.caller.kind !== 'admin') throw new HttpError(401, 'unauthorized', 'an admin token is required');
  return request.caller.admin;
}
