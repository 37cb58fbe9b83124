// The public types of the policy layer. Pure data: no database, no HTTP, no clock.
// Calendar dates are ISO strings 'YYYY-MM-DD' (in the organization's time zone); instants are ISO
// strings with an offset ('2026-03-02T09:00:00Z'). Rule ids come from RULES.md.

export type Lang = 'en' | 'bg' | 'vi';
/** Display text in several languages; `en` is always present. */
export type Texts = { en: string } & Partial<Record<Lang, string>>;

export type ItemKind = 'device' | 'service' | 'part';
export type Condition = 'new' | 'refurbished' | 'used' | 'discounted';

/** The events a device's coverage is computed from. */
export const EVENT_TYPES = [
  'sale', // the item is sold (ITEMA-5 commencement)
  'delivery', // the item reaches the client (ITEMA-33 legal guarantee); defaults to the sale date
  'shipping', // shipped to the client (ITM-4 commencement)
  'installation', // installed by the business (ITS-2)
  'activation', // activated (ITS-2)
  'repair-accepted', // a repair order was accepted (ITEMA-14 suspension starts)
  'repair-completed', // the client was notified of the fix (ITEMA-14 suspension ends; ITS-2 repair term)
  'part-replaced', // a part or module was replaced (ITEMA-17, ITEMA-25, ITM-10)
  'module-added', // a module was added / the system extended (ITEMA-25)
  'device-replaced', // the whole unit was exchanged (ITEMA-17, ITM-9, ITM-10)
  'extension-purchased', // a paid extension plan was bought (ITS-3)
  'warranty-voided', // e.g. unauthorized modification (ITS-9, ITM-13)
  'ownership-transferred', // the device changed hands; coverage follows the device
  'dispute-opened', // negotiation of a dispute started (ITEMA-33 suspension)
  'dispute-closed', // negotiation ended
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface DeviceEvent {
  type: EventType;
  /** Calendar date of the event. */
  date: string;
  /** For part events: which part (id of the part on the device, or of the new one). */
  partId?: string;
  /** For part-replaced: the id of the part that was removed. */
  replacesPartId?: string;
  /** For part-replaced / module-added: the category of the new part (battery, ssd, ...). */
  category?: string;
  /** For part-replaced / repair-*: whether the work was done under warranty (defaults to true while covered). */
  underWarranty?: boolean;
  /** For module-added / part-replaced: an explicit term stated on the part's card, e.g. '12 months'. */
  term?: string;
  /** For extension-purchased: the plan id from the pack. */
  planId?: string;
  /** Free reason text (voided, transferred). */
  note?: string;
  /** The rule that justified the event (e.g. ITM-13 for a void); cited in the coverage changes. */
  rule?: string;
  /** Links repair-accepted/repair-completed of the same job. */
  orderRef?: string;
}

export interface PartInput {
  id: string;
  category: string;
  /** An explicit term stated on the item's card ('6 months', 'none'), overriding the pack (ITEMA-5/7). */
  term?: string;
}

export interface DeviceInput {
  serial?: string;
  model?: string;
  category: string;
  kind?: ItemKind;
  condition?: Condition;
  /** For discounted items: the defect the discount was given for (ITEMA-8). */
  discountDefect?: string;
  /** An explicit warranty term stated on the item's card ('24 months'), overriding the pack default (ITEMA-5). */
  term?: string;
  /** The manufacturer's own protection, if any (ITM-5, ITEMA-6, VN-1). */
  manufacturerWarranty?: { term: string; provider?: string };
  parts?: PartInput[];
}

// ---------- coverage ----------

export type IntervalKind = 'running' | 'suspended';
export interface CoverageInterval {
  from: string;
  /** Inclusive last day of the interval; open (undefined) for an ongoing suspension. */
  to?: string;
  kind: IntervalKind;
  rule: string;
}

export interface CoverageChange {
  date: string;
  rule: string;
  code: string;
  /** Days added (positive) or the new end date the change produced. */
  days?: number;
  newEnd?: string;
  text: Texts;
}

export interface ItemCoverage {
  /** 'device' or the part id. */
  item: string;
  category: string;
  kind: ItemKind;
  covered: boolean; // at the moment asked
  status: 'active' | 'suspended' | 'expired' | 'not-started' | 'void' | 'not-covered';
  start?: string;
  /** Last day of coverage (inclusive). Undefined when not covered at all. */
  end?: string;
  /** End if nothing else happens, for a device in repair now (ITEMA-14: grows each day). */
  daysLeft?: number;
  term?: string;
  intervals: CoverageInterval[];
  changes: CoverageChange[];
  rules: string[];
  /** Where the manufacturer's warranty governs (ITM-5, ITEMA-6). */
  manufacturer?: { end: string; provider?: string; rule: string };
}

export interface LegalGuarantee {
  rule: string;
  start: string;
  end: string;
  active: boolean;
  suspendedDays: number;
  intervals: CoverageInterval[];
}

/** Maintenance included with the sale, beside the warranty (ITM-1): not a longer warranty term. */
export interface MaintenanceCoverage {
  rule: string;
  start: string;
  /** Last day included (inclusive). */
  end: string;
  active: boolean;
  term: string;
  text: Texts;
  /** The value is the business's own setting, not stated by its terms. */
  setting?: boolean;
}

export interface CoverageReport {
  pack: string;
  policyVersion: string;
  at: string;
  device: ItemCoverage;
  parts: ItemCoverage[];
  legalGuarantee?: LegalGuarantee;
  /** Maintenance included with the device (ITM-1), beside the warranty. */
  maintenance?: MaintenanceCoverage;
  reasons: Reason[];
}

// ---------- decisions ----------

export interface Reason {
  rule: string;
  code: string;
  text: Texts;
  params?: Record<string, string | number | Texts>;
}

export type Outcome = 'covered' | 'not-covered' | 'needs-inspection';

export interface DeadPixelCounts {
  brightPixels?: number;
  darkPixels?: number;
  defectiveSubpixels?: number;
  subpixelClusters?: number;
  /** Clusters of defective (bright or dark) pixels inside a 5 × 5 square. */
  pixelClusters5x5?: number;
}

export interface ClaimInput {
  /** Calendar date the claim was made (the report date). */
  date: string;
  /** Which part the claim is about; the whole device when absent. */
  partId?: string;
  /** The problem in the client's words, or a code ('display', 'battery-capacity', ...). */
  problem?: string;
  /** A defect code, compared with the device's discountDefect (ITEMA-8). */
  defect?: string;
  /** True once diagnosis has established findings; until then a decision is provisional. */
  diagnosed?: boolean;
  findings?: string[];
  deadPixels?: DeadPixelCounts;
  /** Country where service is asked (ITEMA-5). */
  country?: string;
  /** The client, device and purchase details given (ITEMA-27, ITS-7). */
  details?: Partial<Record<
    | 'name' | 'address' | 'email' | 'phone' | 'model' | 'serial' | 'purchaseDate' | 'purchasePlace' | 'description',
    string
  >>;
  proofs?: Partial<Record<
    | 'invoice' | 'receipt' | 'warrantyCard' | 'serviceContract' | 'paymentConfirmed' | 'accountRegistered' | 'itemsNamed',
    boolean
  >>;
  /** Was the item installed / repaired / maintained by the business (ITS-4)? */
  servicedByBusiness?: boolean;
  /** Hardware defect confirmed (ITM-8). */
  hardwareDefectConfirmed?: boolean;
  /** For the consumer-rights clocks: when the claim's repair was completed, if it was. */
  fixedOn?: string;
  /** The client refuses a paid (non-warranty) repair (ITEMA-22, SC-12). */
  clientRefusesPaidRepair?: boolean;
  /**
   * The non-conformity is insignificant (ITEMA-32): the consumer may not terminate the contract for
   * it, so neither termination (ITEMA-18/31) nor the refund after three repairs is offered; a price
   * reduction still is.
   */
  insignificant?: boolean;
}

export interface Remedy {
  type: 'repair' | 'replacement' | 'advance-replacement' | 'credit' | 'replacement-other-model' | 'buy-back'
    | 'terminate' | 'price-reduction' | 'refund' | 'paid-repair' | 'manufacturer-service' | 'extension-offer'
    | 'paid-support' | 'maintenance';
  rule: string;
  text: Texts;
  /** Last day the remedy is open, where it has a window. */
  until?: string;
  chosenBy?: 'business' | 'consumer';
  /** What the remedy stands on, where it is not the decision's own basis (ITEMA-9: the legal guarantee beside the manufacturer's service). */
  basis?: Basis;
}

export interface Charge {
  type: 'diagnosis' | 'transport' | 'inbound-freight' | 'outbound-freight' | 'tariff';
  payer: 'client' | 'business';
  /** Integer minor units, where the pack knows the amount. */
  amount?: number;
  currency?: string;
  when: 'always' | 'on-refusal' | 'if-not-covered';
  rule: string;
  /** Every rule behind the charge (transport: ITEMA-13 and, on refusal, ITEMA-22). */
  rules?: string[];
  text: Texts;
}

export interface Missing {
  field: string;
  /** The first rule that asks for it. */
  rule: string;
  /** Every rule that asks for it (ITS-5 and ITS-6 for the invoice or service contract). */
  rules?: string[];
  /**
   * 'missing': not shown yet (it may still be supplied, the claim waits for it); 'none': the client
   * said it does not exist (every accepted proof given as false), so the claim cannot meet the rule.
   */
  status?: 'missing' | 'none';
  text: Texts;
}

export type Basis = 'commercial' | 'legal-guarantee' | 'manufacturer' | 'none';

/**
 * The business's own answer, stated apart from the law (ITEMA-9): the commercial warranty, or the
 * manufacturer's where it takes precedence (ITM-5, ITEMA-6).
 */
export interface CommercialPosition {
  outcome: Outcome;
  basis: 'commercial' | 'manufacturer' | 'none';
  /** The reasons behind the commercial verdict. */
  reasons: Reason[];
}

/** What the consumer's statutory claim needs (ITEMA-30..33), each with its rule. */
export interface LegalNeed {
  code: 'non-conformity' | 'within-period' | 'proof-of-purchase' | 'claim-to-seller';
  rule: string;
  text: Texts;
}

/**
 * The legal guarantee's position on the claim, independent of the commercial verdict (ITEMA-9):
 * the seller answers for a non-conformity within the statutory period whatever the commercial
 * warranty says.
 */
export interface LegalPosition {
  rule: string;
  /** 'available': the claim date is within the statutory period; 'expired' / 'not-started' otherwise. */
  status: 'available' | 'expired' | 'not-started';
  start: string;
  end: string;
  /** The consumer's remedies against the seller while available (ITEMA-30, ITEMA-31, ITEMA-32). */
  remedies: Remedy[];
  /** What the statutory claim needs. */
  needs: LegalNeed[];
  reasons: Reason[];
}

export interface Decision {
  /**
   * The overall answer: what serves the claim (the commercial warranty, the manufacturer's or, when
   * those have ended, the legal guarantee). `commercial` and `legal` state the two positions apart.
   */
  outcome: Outcome;
  /** What the answer stands on: the business's warranty, the legal guarantee (ITEMA-30..33), the manufacturer (ITM-5, ITEMA-6). */
  basis: Basis;
  /** At intake (not diagnosed) a covered claim is provisional. */
  provisional: boolean;
  pack: string;
  policyVersion: string;
  at: string;
  item: string;
  reasons: Reason[];
  remedies: Remedy[];
  charges: Charge[];
  missing: Missing[];
  coverage: CoverageReport;
  /** The commercial verdict alone (ITEMA-9: stated apart from the legal guarantee). */
  commercial: CommercialPosition;
  /** The legal guarantee's position, where the pack has one and the item was sold (ITEMA-9, ITEMA-30..33). */
  legal?: LegalPosition;
}
