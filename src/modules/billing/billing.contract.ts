// The zod schemas billing shares with the service order's routes: a quote's lines, payments, refunds.
import { z } from 'zod';
import type { LineKind } from './money.ts';
import { PAYMENT_KINDS, PAYMENT_METHODS, REFUND_KINDS, REFUND_METHODS } from './ledger.ts';

export { REFUND_METHODS };

const QUOTE_LINE_KINDS = ['part', 'labour', 'fee', 'discount', 'surcharge', 'other'] as const satisfies readonly LineKind[];
const threeDecimals = (x: number) => Math.abs(x * 1000 - Math.round(x * 1000)) < 1e-6;

export const QuoteLine = z
  .object({
    kind: z.enum(QUOTE_LINE_KINDS).describe('part, labour, fee, discount, surcharge, other'),
    description: z.string().trim().min(1).max(300),
    quantity: z.number().positive().max(10_000).refine(threeDecimals, { error: 'at most 3 decimals' }).optional().describe('default 1; hours of labour may have decimals'),
    unitMinor: z.number().int().min(-1e10).max(1e10).describe('Integer minor units, as the business types prices (with or without tax per its setting); negative only for a discount'),
    partId: z.string().min(1).max(100).optional().describe('A part from the order'),
  })
  .superRefine((l, ctx) => {
    if (l.kind === 'discount' && l.unitMinor > 0) ctx.addIssue({ code: 'custom', path: ['unitMinor'], message: 'a discount is a negative amount' });
    if (l.kind !== 'discount' && l.unitMinor < 0) ctx.addIssue({ code: 'custom', path: ['unitMinor'], message: 'only a discount is negative' });
  });
z.globalRegistry.add(QuoteLine, { id: 'QuoteLine' });

export const QuoteLines = z.array(QuoteLine).min(1).max(100);

export const PaymentBody = z.object({
  amountMinor: z.number().int().min(1).max(1e12),
  method: z.enum(PAYMENT_METHODS).describe('At the counter; online payments come from Stripe'),
  kind: z.enum(PAYMENT_KINDS).optional().describe('payment (default): at most the balance due; deposit: before the work is done, may exceed the charges'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR').optional(),
  version: z.number().int().optional().describe('The version you read (409 when it changed); without it the payment is checked against the balance as it is'),
});

export const RefundBody = z.object({
  paymentId: z.uuid().describe('The payment given back (in part or in full)'),
  amountMinor: z.number().int().min(1).max(1e12),
  kind: z.enum(REFUND_KINDS).optional().describe('credit (default): of what was charged, with a credit note; overpayment: of a deposit over the charges'),
  reason: z.string().trim().min(1).max(500).describe('Printed on the credit note'),
  method: z.enum(REFUND_METHODS).optional().describe('Default: the way it was paid (a Stripe payment is refunded through Stripe)'),
  version: z.number().int().optional(),
});
