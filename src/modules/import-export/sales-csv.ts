// The CSV shape of past sales: one line per device sold (customer, device, purchase). Import and
// export use the same columns, so an export can be imported elsewhere.
import { z } from 'zod';
import { IsoDate } from '../../server/http.ts';

export const COLUMNS = [
  'customer_ref',
  'customer_kind',
  'customer_name',
  'customer_email',
  'customer_phone',
  'customer_address',
  'customer_language',
  'serial',
  'manufacturer',
  'model',
  'category',
  'kind',
  'condition',
  'discount_defect',
  'device_term',
  'manufacturer_warranty_term',
  'document_type',
  'document_number',
  'sold_on',
  'delivered_on',
  'shipped_on',
  'installed_on',
  'activated_on',
  'place',
  'price_minor',
  'currency',
] as const;
export type Column = (typeof COLUMNS)[number];
export const REQUIRED_COLUMNS: Column[] = ['serial', 'manufacturer', 'category'];

const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === undefined ? undefined : v), s.optional());
// The API's own date (format, a real day, 1900-01-01..2199-12-31), so a line is refused as the API would refuse the field.
const date = IsoDate;
const term = z.string().regex(/^(none|\d+ (day|week|month|year)s?)$/, "must be like '24 months' or 'none'");

export const RowSchema = z
  .object({
    customer_ref: opt(z.string().max(200)),
    customer_kind: opt(z.enum(['person', 'company'])),
    customer_name: opt(z.string().trim().max(300)),
    customer_email: opt(z.email('must be an e-mail address').max(320)),
    customer_phone: opt(z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number')),
    customer_address: opt(z.string().max(1000)),
    customer_language: opt(z.enum(['en', 'bg', 'vi'])),
    serial: z.string().trim().min(1, 'is required').max(200),
    manufacturer: z.string().trim().min(1, 'is required').max(200),
    model: opt(z.string().max(200)),
    category: z.string().trim().min(1, 'is required').max(100),
    kind: opt(z.enum(['device', 'service', 'part'])),
    condition: opt(z.enum(['new', 'refurbished', 'used', 'discounted'])),
    discount_defect: opt(z.string().max(500)),
    device_term: opt(term),
    manufacturer_warranty_term: opt(term),
    document_type: opt(z.enum(['invoice', 'receipt', 'contract'])),
    document_number: opt(z.string().trim().max(100)),
    sold_on: opt(date),
    delivered_on: opt(date),
    shipped_on: opt(date),
    installed_on: opt(date),
    activated_on: opt(date),
    place: opt(z.string().max(300)),
    price_minor: opt(z.string().regex(/^\d{1,15}$/, 'must be a whole number of minor units (cents), e.g. 129900').transform(Number)),
    currency: opt(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')),
  })
  .superRefine((r, ctx) => {
    const need = (col: Column, message: string) => ctx.addIssue({ code: 'custom', path: [col], message });
    if ((r.customer_ref || r.customer_email || r.customer_phone) && !r.customer_name) need('customer_name', 'is required when the row names a customer');
    if (r.condition === 'discounted' && !r.discount_defect) need('discount_defect', 'is required for a discounted device (ITEMA-8)');
    if (r.document_number && !r.sold_on) need('sold_on', 'is required with a document_number');
    if (r.sold_on && !r.document_number) need('document_number', 'is required with a sold_on date');
    for (const c of ['delivered_on', 'shipped_on', 'installed_on', 'activated_on'] as const) {
      if (r[c] && r.sold_on && r[c]! < r.sold_on) need(c, 'is before sold_on');
    }
    if ((r.price_minor === undefined) !== (r.currency === undefined)) need(r.currency ? 'price_minor' : 'currency', 'price_minor and currency go together');
  });
export type SalesRow = z.infer<typeof RowSchema>;

export interface RowProblem {
  line: number;
  column: string | null;
  reason: string;
}
