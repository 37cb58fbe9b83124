// The workshop fields as the API takes them: on the workshop card (PATCH …/workshop) and with the
// claim at intake (POST /api/v1/claims `workshop`, written in the claim's own transaction).
import { z } from 'zod';
import { IsoDate, Uuid } from '../../server/http.ts';
import { CONTACT_CHANNELS, PRECHECK_RESULTS, PRIORITIES } from './workshop.ts';

export const WorkshopFieldsShape = {
  technicianId: Uuid.nullable().optional().describe('A staff member of the business, or null to unassign (front desk, manager, owner)'),
  priority: z.enum(PRIORITIES).optional(),
  promisedOn: IsoDate.nullable().optional().describe('The date promised to the client (front desk, manager, owner)'),
  contactChannel: z.enum(CONTACT_CHANNELS).optional().describe("The client's channel for this order's messages (front desk, manager, owner)"),
  passcode: z.string().max(200).nullable().optional().describe('The device passcode or PIN; null or "" removes it. Staff only: never on documents, the order page or messages; sealed at rest'),
  unlockPattern: z.string().regex(/^([1-9](-[1-9]){0,8})?$/, 'must be the dots of the 3×3 grid in order, like 1-5-9-6').nullable().optional().describe('The unlock pattern as the 3×3 grid dots in order (1–9), e.g. 1-5-9-6'),
  precheck: z.record(z.string().regex(/^[a-z-]{1,40}$/), z.enum(PRECHECK_RESULTS)).optional().describe('Items of the pre-check list of the device category, each ok, fault or not-checked'),
};

/** With the claim: the card's fields and a first internal note (the accessories are the work order's). */
export const IntakeWorkshopBody = z
  .object({ ...WorkshopFieldsShape, note: z.string().trim().min(1).max(4000).optional().describe('A first internal note (staff only)') })
  .strict()
  .describe("The workshop card given at intake, written in the claim's transaction: a bad field refuses the whole claim (nothing is saved). The accessories left with the device are `workOrder.accessories`");
