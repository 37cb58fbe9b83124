// The schema of a policy pack: a business's warranty and service rules as data. A pack is a YAML or
// JSON file a service manager can read and edit; docs/policy-packs.md explains every key. The schema
// is zod, so an invalid pack is refused with every problem listed by path and reason.
import { z } from 'zod';
import { tryParseDate, tryParseTerm } from './dates.ts';
import { EVENT_TYPES } from './types.ts';
import { parseDuration } from './clocks.ts';

const RULE_ID = /^(ITS|ITM|SC|VN|ITEMA)-\d+$|^[A-Z][A-Z0-9]*-\d+$/;

export const ruleId = z.string().regex(RULE_ID, { error: (i) => `"${String(i.input)}" is not a rule id like ITEMA-14` });

export const texts = z
  .object({ en: z.string().min(1), bg: z.string().min(1).optional(), vi: z.string().min(1).optional() })
  .strict();

export const isoDate = z.string().refine((s) => tryParseDate(s) !== undefined, {
  error: (i) => `"${String(i.input)}" is not a calendar date like 2026-03-01`,
});

/** A warranty term: '90 days', '3 months', '2 years', or 'none'. */
export const term = z.string().refine((s) => tryParseTerm(s) !== undefined, {
  error: (i) => `"${String(i.input)}" is not a duration like "3 months"${/^\s*-/.test(String(i.input)) ? ' (a duration cannot be negative)' : ''}`,
});

/** A clock duration: also hours and working days ('24 hours', '2 working days'); parsed as the clocks parse it. */
const validClockDuration = (s: string) => {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
};
export const clockDuration = z.string().refine(validClockDuration, {
  error: (i) => `"${String(i.input)}" is not a duration like "24 hours" or "2 working days"`,
});
/** How long before due a clock turns at-risk: elapsed or calendar time, not working days. */
const atRiskDuration = z.string().refine((s) => validClockDuration(s) && !/working/.test(s), {
  error: (i) => `"${String(i.input)}" is not a lead time like "4 hours" or "5 days" (working days are not allowed here)`,
});

/**
 * Marks a value the seed does not state: the business's own setting (a term, a fee, a clock length
 * chosen by the business), shown as such in the editor and the docs, never presented as the seed's
 * rule. Absent or false: the value is read from the business's terms.
 */
export const settingFlag = z.boolean().optional();

const kind = z.enum(['device', 'service', 'part']);
const condition = z.enum(['new', 'refurbished', 'used', 'discounted']);
const eventType = z.enum(EVENT_TYPES);
const lang = z.enum(['en', 'bg', 'vi']);

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().regex(/^[A-Z]{3}$/).optional(), setting: settingFlag }).strict();

export const termRuleSchema = z
  .object({
    /** Which items this term applies to; every given key must match. An empty match applies to all. */
    match: z
      .object({
        kind: z.union([kind, z.array(kind)]).optional(),
        category: z.union([z.string(), z.array(z.string())]).optional(),
        condition: z.union([condition, z.array(condition)]).optional(),
      })
      .strict()
      .default({}),
    duration: term,
    /** Coverage starts at the first of these events in the history. */
    commencement: z.array(eventType).min(1),
    /** A stated term on the item may not go below this (refurbished at least 3 months, ITEMA-6). */
    minimum: term.optional(),
    /** 'business': the business serves the warranty; 'manufacturer': the manufacturer does (ITM-5, ITEMA-6). */
    servedBy: z.enum(['business', 'manufacturer']).default('business'),
    /** Use the manufacturer's term recorded on the device when there is one (VN-1, ITEMA-6). */
    manufacturerTerm: z.boolean().default(false),
    /** Only technical function is covered, not appearance (ITEMA-4). */
    functionOnly: z.boolean().default(false),
    rule: ruleId,
    text: texts.optional(),
    setting: settingFlag,
  })
  .strict();

const clockSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    rule: ruleId,
    /**
     * 'deadline' (default): a promise; missing it is a breach. 'earliest': not before (ITEMA-20).
     * 'target': an average or aim shown to staff (SC-4 "1–2 days on average"); missing it raises no
     * breach and no timer. A business that promises a hard limit sets 'deadline'.
     */
    kind: z.enum(['deadline', 'earliest', 'target']).default('deadline'),
    duration: clockDuration,
    offDayDuration: clockDuration.optional(),
    atRisk: atRiskDuration.optional(),
    /** What starts the clock (documentation for the service layer: 'claim-received', 'ready-notified', ...). */
    startsAt: z.string().min(1),
    stopsAt: z.string().min(1).optional(),
    escalation: z.object({ after: clockDuration, rule: ruleId, code: z.string().min(1), text: texts.optional() }).strict().optional(),
    /**
     * A collection clock (the device waits for its owner, SC-11 / ITEMA-24): what its end means.
     * 'dispose': the equipment is disposed of (SC-11), so the reminder warns of it and staff may
     * dispose of an unclaimed order; 'liability-ends': the business only stops answering for the
     * device (ITEMA-24), so the reminder says that and nothing is disposed of.
     */
    collection: z.enum(['dispose', 'liability-ends']).optional(),
    text: texts,
    setting: settingFlag,
  })
  .strict();

const exclusionSchema = z
  .object({
    finding: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'a finding is a kebab-case code like liquid-ingress' }),
    rule: ruleId,
    /** 'not-covered' refuses the claim; 'void' also ends the warranty (ITS-9). 'paid' means paid service at the tariff. */
    effect: z.enum(['not-covered', 'void', 'paid']).default('not-covered'),
    text: texts,
  })
  .strict();

const remedySchema = z
  .object({
    type: z.enum(['repair', 'replacement', 'advance-replacement', 'credit', 'replacement-other-model', 'buy-back']),
    rule: ruleId,
    chosenBy: z.enum(['business', 'consumer']).default('business'),
    /** The remedy is open only this long after commencement (ITM-8: 12 months). */
    within: term.optional(),
    /** The remedy needs a confirmed hardware defect (ITM-8). */
    requiresConfirmedDefect: z.boolean().default(false),
    text: texts,
  })
  .strict();

/** The support desk (issue 13, docs/support.md): contract tiers, ticket clocks, levels, training, paid help, free advice. */
const supportTierSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: texts,
    /** 'business': the pack's calendar (days off count, VN-2); '24/7': around the clock (ITM-2). Documentation of what the clocks do. */
    calendar: z.enum(['business', '24/7']),
    /** The pack clocks a ticket of this tier runs: the first answer and the fix (their ids under `clocks`). */
    clocks: z
      .object({ incidentResponse: z.string().min(1).optional(), incidentResolution: z.string().min(1).optional(), questionResponse: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** Paid help at this tier's price (VN-4): per started hour, in the pack currency's minor units. */
    hourlyPrice: money.optional(),
    rule: ruleId,
  })
  .strict();
const supportSchema = z
  .object({
    rule: ruleId,
    tiers: z.array(supportTierSchema).min(1),
    /** The tier of a ticket without a contract (questions, paid help, free advice). */
    defaultTier: z.string().min(1),
    /** Engineer levels, lowest first (ITM-2: L1 → L2 → L3). */
    levels: z.array(z.string().regex(/^[A-Z0-9][A-Za-z0-9-]*$/)).min(1),
    /** When a ticket's clock turns at-risk: raise it one level ('next') or straight to a named one; 'none' only warns. */
    escalateAtRisk: z.object({ to: z.string().min(1), rule: ruleId }).strict().optional(),
    /** Incidents are handled once the client supplied the data for root-cause analysis; until then the clock waits on the client (VN-6). */
    rootCauseData: ruleId.optional(),
    /** Severe incidents (destroyed, unrecoverable) get recovery advice and advice on limiting the downtime (VN-7). */
    severeAdvice: z.object({ rule: ruleId, text: texts }).strict().optional(),
    /** Outside the contract's scope (a device it does not cover, an expired contract): advice and paid recovery support (VN-8). */
    outsideScope: z.object({ rule: ruleId, text: texts }).strict().optional(),
    /** Paid help for faults of use (VN-4): priced at the client's tier price. */
    paidHelp: z.object({ rule: ruleId, text: texts }).strict().optional(),
    /** Periodic training on use and administration (VN-5): only on the calendar's working days. */
    training: z.object({ rule: ruleId, workingDaysOnly: z.boolean().default(true), channels: z.array(z.string().min(1)).min(1) }).strict().optional(),
    /** Free advice for anyone, with an online consultant in the portal (SC-1). */
    freeAdvice: z.object({ rule: ruleId, consultant: z.boolean().default(false), text: texts }).strict().optional(),
    /**
     * A resolved ticket the client answers (or staff reopen) is in progress again: its resolution clock
     * runs on from where it stopped, the time it stood resolved not counted (`resume`, the default), or
     * stays stopped (`none`). The seeds say nothing of it (docs/support.md, "Reopening").
     */
    reopen: z.object({ clocks: z.enum(['resume', 'none']).default('resume') }).strict().optional(),
    /** Contracts: how long before the renewal date the client is reminded. */
    renewalReminder: z.object({ before: term, rule: ruleId }).strict().optional(),
    /** Maintenance included with qualified hardware (ITM-1): a contract of this tier and term from the commencement event. */
    includedMaintenance: z
      .object({ rule: ruleId, tier: z.string().min(1), duration: term, commencement: z.array(eventType).min(1), categories: z.array(z.string().min(1)).min(1), text: texts })
      .strict()
      .optional(),
  })
  .strict();

const versionBody = z
  .object({
    settings: z
      .object({
        timeZone: z.string().min(1),
        currency: z.string().regex(/^[A-Z]{3}$/, { error: 'a currency is an ISO 4217 code like EUR' }),
        languages: z.array(lang).min(1),
        /** Where the warranty applies; claims elsewhere go to the manufacturer (ITEMA-5). */
        country: z.string().regex(/^[A-Z]{2}$/).optional(),
        countryRule: ruleId.optional(),
        /**
         * The business's tax on what it charges (issue 14, docs/billing.md): its printed name, the
         * rate in percent, whether the prices staff type include it, and the registration number
         * printed on invoices, receipts and credit notes. Without it nothing is taxed.
         */
        tax: z
          .object({
            name: texts,
            ratePercent: z.number().min(0).max(100).refine((x) => Math.abs(x * 1000 - Math.round(x * 1000)) < 1e-6, { error: 'a rate has at most 3 decimals, like 8.875' }),
            pricesInclude: z.boolean(),
            registration: z.string().min(1).max(40).optional(),
          })
          .strict()
          .optional(),
        calendar: z
          .object({
            mode: z.enum(['business', '24/7']),
            workingDays: z.array(z.number().int().min(1).max(7)).optional(),
            holidays: z
              .object({ country: z.string().optional(), region: z.string().optional(), dates: z.array(isoDate).optional() })
              .strict()
              .optional(),
            rule: ruleId.optional(),
          })
          .strict(),
        /**
         * Warranty plans' messages (issue 14, ITS-3): how many days before the end of a sold plan's
         * coverage the client is told it is about to expire (`plan.expiring`, with the plans that
         * extend it). Without it no such message is sent.
         */
        plans: z.object({ expiryNoticeDays: z.number().int().min(1).max(365), setting: settingFlag }).strict().optional(),
        /**
         * A deposit the business asks when the client accepts a quote (issue 14): `percent` of the
         * quote's total (rounded to the currency's minor unit), paid online from the order page or at
         * the counter before the work is done. Without it no deposit is asked.
         */
        deposit: z.object({ percent: z.number().min(1).max(100), at: z.enum(['quote-accepted']).default('quote-accepted'), setting: settingFlag }).strict().optional(),
      })
      .strict(),
    /** Every rule id of the business with its statement in the pack's languages. */
    rules: z.record(ruleId, texts),
    terms: z.array(termRuleSchema).min(1),
    /**
     * Part terms by part category (ITEMA-7). 'none' means no warranty. A category listed here is
     * covered for this term even when `notCovered` names it too (ITEMA-3: batteries and adapters are
     * not covered unless the business's policy gives them a term).
     */
    parts: z.record(z.string(), z.object({ duration: term, rule: ruleId, setting: settingFlag }).strict()).default({}),
    /**
     * The category vocabulary: each category code with its names per language and synonyms, so a
     * category typed in words ("enterprise infrastructure", "сървър") is matched to its code.
     */
    categories: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'a category code is kebab-case like power-adapter' }), z.object({ names: texts, synonyms: z.array(z.string().min(1)).default([]) }).strict())
      .optional(),
    /**
     * Statements the client reads on the documents that carry the terms (ITEMA-19 on the work order
     * and the warranty card), in the client's language where the text has it.
     */
    clientStatements: z
      .array(
        z
          .object({
            rule: ruleId,
            documents: z.array(z.enum(['work-order', 'warranty-card', 'completion-certificate', 'quote', 'payment-receipt', 'request-form'])).min(1),
            text: texts,
          })
          .strict(),
      )
      .optional(),
    /** Items never covered (ITEMA-3). */
    notCovered: z.array(z.object({ categories: z.array(z.string()).min(1), rule: ruleId, text: texts }).strict()).default([]),
    coverage: z
      .object({
        /** The term does not run during a repair and is extended by it (ITEMA-14). */
        suspendDuringRepair: ruleId.optional(),
        /** A repaired item gets its own term from the repair (ITS-2). */
        repairTerm: z.object({ duration: term, rule: ruleId, setting: settingFlag }).strict().optional(),
        /** A repair or exchange leaves the original period unchanged (ITM-9) / replacement keeps the terms (ITEMA-17). */
        replacementKeepsTerm: ruleId.optional(),
        /** A replacement gets at least this from its replacement date (ITM-10). */
        replacementMinimum: z.object({ duration: term, rule: ruleId }).strict().optional(),
        /** An added or (paid) replaced module gets its own card (ITEMA-25). */
        moduleCard: z.object({ duration: term.optional(), rule: ruleId }).strict().optional(),
        /** The manufacturer's own protection plan, where the device has one, takes precedence (ITM-5). */
        manufacturerPrecedence: ruleId.optional(),
        /** The rule under which a warranty is voided (ITS-9, ITM-13). */
        voidRule: ruleId.optional(),
        /** Only items the business installed, repaired or maintained are covered (ITS-4). */
        ownWorkOnly: ruleId.optional(),
        /** Whether the warranty follows the device to a new owner. */
        transferable: z.boolean().default(true),
      })
      .strict()
      .default({ transferable: true }),
    legalGuarantee: z
      .object({
        duration: term,
        commencement: z.array(eventType).min(1),
        /** Suspended during repair / replacement and dispute negotiation (ITEMA-33). */
        suspendDuringRepair: z.boolean().default(true),
        suspendDuringDispute: z.boolean().default(true),
        rule: ruleId,
        /** The rule that states the legal guarantee stands apart from the commercial warranty (ITEMA-9). */
        independenceRule: ruleId.optional(),
        text: texts,
      })
      .strict()
      .optional(),
    exclusions: z.array(exclusionSchema).default([]),
    pixelPolicy: z
      .object({
        rule: ruleId,
        categories: z.array(z.string()).min(1),
        limits: z
          .object({
            brightPixels: z.number().int().nonnegative(),
            darkPixels: z.number().int().nonnegative(),
            defectiveSubpixels: z.number().int().nonnegative(),
            subpixelClusters: z.number().int().nonnegative(),
            pixelClusters5x5: z.number().int().nonnegative(),
          })
          .strict(),
      })
      .strict()
      .optional(),
    remedies: z.array(remedySchema).default([]),
    consumerRights: z
      .object({
        /** No fix within this long after the claim → terminate or price reduction (ITEMA-18, ITEMA-31). */
        noFixWithin: z.object({ duration: term, rules: z.array(ruleId).min(1) }).strict().optional(),
        /** After this many repairs within the term, a further fault → refund (ITEMA-32). */
        refundAfterRepairs: z.object({ count: z.number().int().positive(), rule: ruleId }).strict().optional(),
        /** Under the legal guarantee the consumer chooses repair or replacement (ITEMA-30). */
        consumerChoosesRemedy: ruleId.optional(),
      })
      .strict()
      .default({}),
    fees: z
      .object({
        diagnosis: money.extend({ rules: z.array(ruleId).min(1), text: texts }).strict().optional(),
        transport: money.extend({ rules: z.array(ruleId).min(1), text: texts }).strict().optional(),
        /** Freight split on warranty claims (ITM-7). */
        freight: z.object({ inbound: z.enum(['client', 'business']), outbound: z.enum(['client', 'business']), rule: ruleId }).strict().optional(),
        /** Non-warranty work is paid at the tariff / the client's tier price (ITEMA-10, ITEMA-21, VN-4). */
        tariff: z.object({ rules: z.array(ruleId).min(1), text: texts }).strict().optional(),
        /** Warranty service is free of charge to the consumer (ITEMA-31). */
        freeOfCharge: ruleId.optional(),
      })
      .strict()
      .default({}),
    requirements: z
      .object({
        details: z.object({ fields: z.array(z.string()).min(1), rule: ruleId }).strict().optional(),
        /** Each entry: at least one of `anyOf` proofs must be present. */
        /** `rules`: every rule the proof serves (ITS-5 and ITS-6 for the invoice); `rule` is the first named. */
        proofs: z.array(z.object({ anyOf: z.array(z.string()).min(1), rule: ruleId, rules: z.array(ruleId).min(1).optional(), text: texts }).strict()).default([]),
      })
      .strict()
      .default({ proofs: [] }),
    /** What intake needs, per the business's own terms (read by the service layer, not the engine). */
    intake: z
      .object({
        /** Contact before sending anything: a claim whose device is not yet in the shop waits for staff to authorize it (ITEMA-28). */
        preAuthorization: z.object({ rule: ruleId, exceptChannels: z.array(z.string().min(1)).default([]) }).strict().optional(),
        /** What the client confirms on the signed work order (SC-2, ITEMA-11, ITEMA-29). */
        workOrderConfirmations: z
          .array(z.object({ field: z.enum(['termsAccepted', 'dataBackedUp', 'passwordsRemoved']), rule: ruleId, text: texts }).strict())
          .default([]),
      })
      .strict()
      .default({ workOrderConfirmations: [] }),
    clocks: z.array(clockSchema).default([]),
    extensionPlans: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: texts,
            duration: term,
            price: money.optional(),
            rule: ruleId,
            setting: settingFlag,
            /** Which devices it is sold for (every given key must match); all when absent (ITEMA-29: "on some products"). */
            devices: z
              .object({ kind: z.union([kind, z.array(kind)]).optional(), category: z.union([z.string(), z.array(z.string())]).optional() })
              .strict()
              .optional(),
            /** When it can be bought: with the product, while it is covered, or after its coverage ended (ITS-3, ITS-10). */
            buyable: z.array(z.enum(['at-sale', 'during-coverage', 'after-expiry'])).min(1).default(['at-sale', 'during-coverage', 'after-expiry']),
          })
          .strict(),
      )
      .default([]),
    /**
     * Device registration (ITS-5): the client records the device, its installation or repair date and
     * a document (ITS-6) and pays the fee; once the payment is confirmed the registration gives the
     * claim proofs listed here. Absent: the business has no registration.
     */
    registration: z
      .object({
        rule: ruleId,
        fee: money,
        /** The services whose date the client gives. */
        serviceEvents: z.array(z.enum(['installation', 'activation', 'repair-completed'])).min(1),
        /** The documents accepted, each with the proof it gives (ITS-6). */
        documents: z.array(z.object({ type: z.enum(['invoice', 'service-contract']), proof: z.string().min(1), rule: ruleId }).strict()).min(1),
        /** The proofs a valid (paid) registration gives besides its document's. */
        proves: z.array(z.string().min(1)).default([]),
        /** The pack clock that lets an unpaid registration lapse (its id in `clocks`), if any. */
        paymentClock: z.string().optional(),
        text: texts,
      })
      .strict()
      .optional(),
    /**
     * How the business runs returns (RMA, issue 12; read by src/modules/rma, not the engine): the
     * remote-diagnosis step, the return clock, what a late return costs, who owns removed units,
     * passing items on to the manufacturer and escalating disputes (ITM-3, ITM-5..14).
     */
    rma: z
      .object({
        /** A remote diagnosis is recorded before an RMA may be authorized (ITM-3, ITM-6). */
        remoteDiagnosis: z.object({ required: z.boolean(), rule: ruleId, text: texts }).strict().optional(),
        /** The pack clock that measures the client's return (its startsAt / stopsAt are 'rma-authorized' / 'unit-received'). */
        returnClock: z.string().regex(/^[a-z][a-z0-9-]*$/),
        /** What the slip tells the client: where and how to send the items (inbound freight per fees.freight, ITM-7). */
        returnInstruction: texts,
        /** Past the return clock's escalation: charge each unreturned unit's price, or suspend the client's account (ITM-12). */
        lateReturn: z.object({ consequence: z.enum(['charge-unit-price', 'suspend-account']), rule: ruleId, text: texts }).strict().optional(),
        /** Ownership of the removed unit passes to the business on a replacement (ITM-11). */
        retainRemoved: ruleId.optional(),
        /** A covered item can be passed on to its manufacturer's own RMA (ITM-5). */
        vendorRma: ruleId.optional(),
        /** Disputes of a decision go to a governance team (ITM-14); the contact is shown to the client. */
        disputes: z.object({ rule: ruleId, team: texts, contact: z.string().min(1).optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    /** What the client is offered once coverage has ended (ITS-10, VN-4). */
    afterExpiry: z.array(z.object({ type: z.enum(['extension-offer', 'paid-repair', 'paid-support']), rule: ruleId, text: texts }).strict()).default([]),
    support: supportSchema.optional(),
  })
  .strict();

export const versionSchema = versionBody.extend({
  version: z.string().min(1),
  effective: isoDate,
  /** The version also governs devices whose terms began before it (ITS-11). */
  appliesToExisting: z.boolean().default(false),
  notes: texts.optional(),
});

export const packSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'a pack id is kebab-case like service-center' }),
    name: texts,
    source: z.string().optional(),
    versions: z.array(versionSchema).min(1),
  })
  .strict()
  .superRefine((pack, ctx) => {
    const seen = new Set<string>();
    pack.versions.forEach((v, i) => {
      if (seen.has(v.version)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'version'], message: `version "${v.version}" appears twice` });
      seen.add(v.version);
      const declared = new Set(Object.keys(v.rules));
      const cite = (id: string | undefined, path: (string | number)[]) => {
        if (id && !declared.has(id)) ctx.addIssue({ code: 'custom', path: ['versions', i, ...path], message: `rule ${id} is cited but not listed under rules` });
      };
      v.terms.forEach((t, j) => cite(t.rule, ['terms', j, 'rule']));
      v.exclusions.forEach((t, j) => cite(t.rule, ['exclusions', j, 'rule']));
      v.remedies.forEach((t, j) => cite(t.rule, ['remedies', j, 'rule']));
      v.clocks.forEach((t, j) => cite(t.rule, ['clocks', j, 'rule']));
      cite(v.intake.preAuthorization?.rule, ['intake', 'preAuthorization', 'rule']);
      if (v.rma) {
        cite(v.rma.remoteDiagnosis?.rule, ['rma', 'remoteDiagnosis', 'rule']);
        cite(v.rma.lateReturn?.rule, ['rma', 'lateReturn', 'rule']);
        cite(v.rma.retainRemoved, ['rma', 'retainRemoved']);
        cite(v.rma.vendorRma, ['rma', 'vendorRma']);
        cite(v.rma.disputes?.rule, ['rma', 'disputes', 'rule']);
        if (!v.clocks.some((c) => c.id === v.rma!.returnClock)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'rma', 'returnClock'], message: `clock "${v.rma.returnClock}" is not one of this version's clocks` });
      }

      cite(v.legalGuarantee?.independenceRule, ['legalGuarantee', 'independenceRule']);
      v.intake.workOrderConfirmations.forEach((t, j) => cite(t.rule, ['intake', 'workOrderConfirmations', j, 'rule']));
      Object.entries(v.parts).forEach(([k, t]) => cite(t.rule, ['parts', k, 'rule']));
      v.extensionPlans.forEach((t, j) => cite(t.rule, ['extensionPlans', j, 'rule']));
      if (v.registration) {
        cite(v.registration.rule, ['registration', 'rule']);
        v.registration.documents.forEach((d, j) => cite(d.rule, ['registration', 'documents', j, 'rule']));
        const pc = v.registration.paymentClock;
        if (pc && !v.clocks.some((c) => c.id === pc)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'registration', 'paymentClock'], message: `clock "${pc}" is not listed under clocks` });
        const fc = v.registration.fee.currency;
        if (fc && v.settings.currency && fc !== v.settings.currency) ctx.addIssue({ code: 'custom', path: ['versions', i, 'registration', 'fee', 'currency'], message: `${fc} differs from the pack currency ${v.settings.currency}` });
      }
      (v.clientStatements ?? []).forEach((t, j) => cite(t.rule, ['clientStatements', j, 'rule']));
      v.requirements.proofs.forEach((p, j) => (p.rules ?? []).forEach((r, k) => cite(r, ['requirements', 'proofs', j, 'rules', k])));
      v.clocks.forEach((c, j) => {
        if (c.kind !== 'deadline' && c.escalation) ctx.addIssue({ code: 'custom', path: ['versions', i, 'clocks', j, 'escalation'], message: `a ${c.kind} clock cannot escalate; escalation is for deadlines` });
      });
      const clockIds = new Set<string>();
      v.clocks.forEach((c, j) => {
        if (clockIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'clocks', j, 'id'], message: `clock "${c.id}" appears twice` });
        clockIds.add(c.id);
      });
      if (v.support) checkSupport(v, (path, message) => ctx.addIssue({ code: 'custom', path: ['versions', i, 'support', ...path], message }), cite);
      if (v.settings.currency) {
        const fees = v.fees;
        for (const k of ['diagnosis', 'transport'] as const) {
          const f = fees[k];
          if (f?.currency && f.currency !== v.settings.currency)
            ctx.addIssue({ code: 'custom', path: ['versions', i, 'fees', k, 'currency'], message: `${f.currency} differs from the pack currency ${v.settings.currency}` });
        }
      }
    });
  });

/** The support section's references: rules, tiers, clocks (a tier's clocks start on events no other tier's clock starts on). */
function checkSupport(v: z.infer<typeof versionBody>, issue: (path: (string | number)[], message: string) => void, cite: (id: string | undefined, path: (string | number)[]) => void) {
  const s = v.support!;
  const at = (p: (string | number)[]) => ['support', ...p];
  cite(s.rule, at(['rule']));
  for (const k of ['escalateAtRisk', 'severeAdvice', 'outsideScope', 'paidHelp', 'training', 'freeAdvice', 'renewalReminder', 'includedMaintenance'] as const) cite(s[k]?.rule, at([k, 'rule']));
  cite(s.rootCauseData, at(['rootCauseData']));
  const tiers = new Set(s.tiers.map((t) => t.id));
  if (!tiers.has(s.defaultTier)) issue(['defaultTier'], `tier "${s.defaultTier}" is not one of the tiers`);
  if (s.includedMaintenance && !tiers.has(s.includedMaintenance.tier)) issue(['includedMaintenance', 'tier'], `tier "${s.includedMaintenance.tier}" is not one of the tiers`);
  if (s.escalateAtRisk && s.escalateAtRisk.to !== 'next' && !s.levels.includes(s.escalateAtRisk.to)) issue(['escalateAtRisk', 'to'], `"${s.escalateAtRisk.to}" is neither 'next' nor one of the levels`);
  const clockStarts = new Map(v.clocks.map((c) => [c.id, c.startsAt]));
  s.tiers.forEach((t, j) => {
    cite(t.rule, ['support', 'tiers', j, 'rule']);
    for (const [role, id] of Object.entries(t.clocks)) {
      const start = clockStarts.get(id!);
      if (!start) {
        issue(['tiers', j, 'clocks', role], `clock "${id}" is not one of the pack's clocks`);
        continue;
      }
      // A ticket starts exactly the clocks its tier names, by their start events: no other clock may share one.
      const other = v.clocks.find((c) => c.startsAt === start && c.id !== id);
      if (other) issue(['tiers', j, 'clocks', role], `clock "${id}" starts on "${start}", as clock "${other.id}" does: a support clock needs a start event of its own`);
    }
  });
}

export type PackFile = z.infer<typeof packSchema>;
export type PackVersion = z.infer<typeof versionSchema>;
export type TermRule = z.infer<typeof termRuleSchema>;
