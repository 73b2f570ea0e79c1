import type { AppDeps } from '../deps.ts';
import { emailRoutes } from '../email/email.routes.ts';
import { availabilityRoutes } from './availability.routes.ts';
import { bookingRoutes } from './bookings.routes.ts';
import { invitationRoutes } from './invitations.ts';

/** Every route of the scheduling feature (issue 8), for api/app.ts. */
export function schedulingRoutes(deps: AppDeps) {
  return [...availabilityRoutes(deps), ...bookingRoutes(deps), ...invitationRoutes(deps), ...emailRoutes(deps)];
}
