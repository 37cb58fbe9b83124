// The situation of an order in plain words (issue 16): what the engine's decision means for the
// client — a paid repair, a warranty repair, the legal guarantee, the manufacturer's service, or a
// warranty still to be checked — instead of a raw outcome and a list of reasons. Computed from the
// stored decision only (the engine's outcome, basis, coverage and reasons); the rule ids stay with
// the reasons, for staff. Every text in the three languages; dates the language's way.
import { z } from 'zod';
import type { Decision, Texts } from '../../policy/index.ts';
import { DOC_LANGS, formatDate, type DocLang } from '../documents/documents.i18n.ts';

export const SITUATIONS = [
  'warranty-repair',
  'warranty-to-confirm',
  'legal-guarantee',
  'legal-guarantee-to-confirm',
  'manufacturer',
  'paid-no-warranty',
  'paid-expired',
  'paid-excluded',
  'paid',
  'check-missing',
  'check',
] as const;
export type SituationCode = (typeof SITUATIONS)[number];

export interface Situation {
  code: SituationCode;
  /** Paid by the client (true), free under a warranty or guarantee (false), or not known until diagnosis (null). */
  paid: boolean | null;
  text: Texts;
}

type Words = Record<SituationCode, string>;
const WORDS: Record<DocLang, Words> = {
  en: {
    'warranty-repair': 'Warranty repair: covered by the warranty until {end}',
    'warranty-to-confirm': 'Under warranty until {end}; to be confirmed at diagnosis',
    'legal-guarantee': 'Free repair under the legal guarantee, which runs until {end}',
    'legal-guarantee-to-confirm': 'The legal guarantee runs until {end}; to be confirmed at diagnosis',
    manufacturer: 'Manufacturer’s warranty until {end}: serviced by {provider}',
    'paid-no-warranty': 'Paid repair: no warranty applies to this device',
    'paid-expired': 'Paid repair: the warranty ended on {end}',
    'paid-excluded': 'Paid repair: {reason}',
    paid: 'Paid repair: {reason}',
    'check-missing': 'Warranty to be checked at diagnosis; {missing}',
    check: 'Warranty to be checked at diagnosis: {reason}',
  },
  bg: {
    'warranty-repair': 'Гаранционен ремонт: покрит от гаранцията до {end}',
    'warranty-to-confirm': 'В гаранция до {end}; ще се потвърди при диагностиката',
    'legal-guarantee': 'Безплатен ремонт по законовата гаранция, която е валидна до {end}',
    'legal-guarantee-to-confirm': 'Законовата гаранция е валидна до {end}; ще се потвърди при диагностиката',
    manufacturer: 'Гаранция на производителя до {end}: обслужва се от {provider}',
    'paid-no-warranty': 'Платен ремонт: за това устройство няма записана гаранция',
    'paid-expired': 'Платен ремонт: гаранцията е изтекла на {end}',
    'paid-excluded': 'Платен ремонт: {reason}',
    paid: 'Платен ремонт: {reason}',
    'check-missing': 'Гаранцията ще се провери при диагностиката; {missing}',
    check: 'Гаранцията ще се провери при диагностиката: {reason}',
  },
  vi: {
    'warranty-repair': 'Sửa chữa bảo hành: được bảo hành đến {end}',
    'warranty-to-confirm': 'Còn bảo hành đến {end}; sẽ được xác nhận khi chẩn đoán',
    'legal-guarantee': 'Sửa chữa miễn phí theo bảo đảm pháp định, còn hiệu lực đến {end}',
    'legal-guarantee-to-confirm': 'Bảo đảm pháp định còn hiệu lực đến {end}; sẽ được xác nhận khi chẩn đoán',
    manufacturer: 'Bảo hành của nhà sản xuất đến {end}: do {provider} thực hiện',
    'paid-no-warranty': 'Sửa chữa có tính phí: thiết bị này không có bảo hành',
    'paid-expired': 'Sửa chữa có tính phí: bảo hành đã hết hạn ngày {end}',
    'paid-excluded': 'Sửa chữa có tính phí: {reason}',
    paid: 'Sửa chữa có tính phí: {reason}',
    'check-missing': 'Bảo hành sẽ được kiểm tra khi chẩn đoán; {missing}',
    check: 'Bảo hành sẽ được kiểm tra khi chẩn đoán: {reason}',
  },
};

/** The details and proofs a claim may lack (ITEMA-27, ITEMA-10, ITS-5/6), as a clerk names them. */
const FIELD_WORDS: Record<DocLang, Record<string, string>> = {
  en: { name: 'name', address: 'address', email: 'e-mail', phone: 'phone', model: 'model', serial: 'serial number', purchaseDate: 'date of purchase', purchasePlace: 'place of purchase', description: 'description of the problem', invoice: 'invoice', receipt: 'receipt', warrantyCard: 'warranty card', serviceContract: 'service contract', paymentConfirmed: 'payment confirmation', accountRegistered: 'registered account', itemsNamed: 'the items named on the document', device: 'device' },
  bg: { name: 'име', address: 'адрес', email: 'имейл', phone: 'телефон', model: 'модел', serial: 'сериен номер', purchaseDate: 'дата на покупка', purchasePlace: 'място на покупка', description: 'описание на проблема', invoice: 'фактура', receipt: 'касова бележка', warrantyCard: 'гаранционна карта', serviceContract: 'договор за сервиз', paymentConfirmed: 'потвърждение за плащане', accountRegistered: 'регистриран профил', itemsNamed: 'артикулите в документа', device: 'устройство' },
  vi: { name: 'họ tên', address: 'địa chỉ', email: 'email', phone: 'số điện thoại', model: 'model', serial: 'số sê-ri', purchaseDate: 'ngày mua', purchasePlace: 'nơi mua', description: 'mô tả sự cố', invoice: 'hóa đơn', receipt: 'biên lai', warrantyCard: 'phiếu bảo hành', serviceContract: 'hợp đồng dịch vụ', paymentConfirmed: 'xác nhận thanh toán', accountRegistered: 'tài khoản đã đăng ký', itemsNamed: 'các mục ghi trên chứng từ', device: 'thiết bị' },
};
const OR: Record<DocLang, string> = { en: ' or ', bg: ' или ', vi: ' hoặc ' };
/** `details.address` → "address"; `proofs.invoice|receipt` → "invoice or receipt", in the language. */
export function fieldWords(lang: DocLang, field: string) {
  const names = field.replace(/^(details|proofs)\./, '').split('|');
  return names.map((n) => FIELD_WORDS[lang][n] ?? FIELD_WORDS.en[n] ?? n).join(OR[lang]);
}
/** "still missing: address" / "липсват: адрес, гаранционна карта" (the verb agrees: Intl.PluralRules). */
const MISSING: Record<DocLang, Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }> = {
  en: { other: 'still missing: {list}' },
  bg: { one: 'липсва: {list}', other: 'липсват: {list}' },
  vi: { other: 'còn thiếu: {list}' },
};
const locale: Record<DocLang, string> = { en: 'en-GB', bg: 'bg-BG', vi: 'vi-VN' };
// Made once per language: an Intl object costs far more to make than to use, and every order view
// renders its situation in every language (issue 10: this was the hottest line of a claim intake).
const plurals = new Map<DocLang, Intl.PluralRules>();
const lists = new Map<DocLang, Intl.ListFormat>();
const pluralOf = (l: DocLang) => plurals.get(l) ?? plurals.set(l, new Intl.PluralRules(locale[l])).get(l)!;
const listOf = (l: DocLang) => lists.get(l) ?? lists.set(l, new Intl.ListFormat(locale[l], { type: 'conjunction' })).get(l)!;

export function missingWords(lang: DocLang, fields: string[]) {
  const form = pluralOf(lang).select(fields.length);
  const list = listOf(lang).format(fields.map((f) => fieldWords(lang, f)));
  return (MISSING[lang][form] ?? MISSING[lang].other).replace('{list}', list);
}

const fill = (s: string, p: Record<string, string>) => s.replace(/\{(\w+)\}/g, (m, k: string) => p[k] ?? m);
/** A lower-case start after the colon ("Paid repair: new liquid damage ..."), unless it starts a name. */
const lowerFirst = (s: string) => (/^[A-ZА-ЯĐ][a-zа-яà-ỹ]/.test(s) ? s[0].toLocaleLowerCase() + s.slice(1) : s).replace(/\.$/, '');

function build(code: SituationCode, paid: boolean | null, p: { end?: string; provider?: string; reason?: Texts; missing?: string[] }): Situation {
  const text = Object.fromEntries(
    DOC_LANGS.map((l) => [
      l,
      fill(WORDS[l][code], {
        end: p.end ? formatDate(l, p.end) : '',
        provider: p.provider ?? '',
        reason: p.reason ? lowerFirst(p.reason[l] ?? p.reason.en) : '',
        missing: missingWords(l, p.missing ?? []),
      }),
    ]),
  ) as Texts;
  return { code, paid, text };
}

/** The decision as a situation; null without one (no device on record yet). */
export function situationOf(d: Decision | null | undefined): Situation | null {
  if (!d || !d.coverage) return null;
  const item = d.item && d.item !== 'device' ? (d.coverage.parts.find((p) => p.item === d.item) ?? d.coverage.device) : d.coverage.device;
  const reasons = d.reasons ?? [];
  if (d.outcome === 'not-covered') {
    const excluded = reasons.find((r) => r.code.startsWith('finding:') || r.code === 'discount-defect' || r.code === 'pixels-within-limits');
    if (excluded) return build('paid-excluded', true, { reason: excluded.text });
    const other = reasons.find((r) => ['outside-country', 'not-own-work', 'not-covered-category', 'part-no-term', 'claim-void'].includes(r.code));
    if (other) return build('paid', true, { reason: other.text });
    if (item.status === 'expired' && item.end) return build('paid-expired', true, { end: item.end });
    return build('paid-no-warranty', true, {});
  }
  const legal = d.basis === 'legal-guarantee' ? d.coverage.legalGuarantee : undefined;
  const manufacturer = d.basis === 'manufacturer' ? item.manufacturer : undefined;
  if (d.outcome === 'covered') {
    if (legal) return build('legal-guarantee', false, { end: legal.end });
    if (manufacturer) return build('manufacturer', false, { end: manufacturer.end, provider: manufacturer.provider ?? '' });
    return build('warranty-repair', false, { end: item.end });
  }
  // needs-inspection: details or proofs missing, or covered as far as the record goes until diagnosis.
  if (d.missing?.length) return build('check-missing', null, { missing: d.missing.map((m) => m.field) });
  if (legal) return build('legal-guarantee-to-confirm', null, { end: legal.end });
  if (manufacturer) return build('manufacturer', null, { end: manufacturer.end, provider: manufacturer.provider ?? '' });
  if (item.end && (item.status === 'active' || item.status === 'suspended')) return build('warranty-to-confirm', null, { end: item.end });
  const first = reasons.find((r) => r.code !== 'provisional') ?? reasons[0];
  return first ? build('check', null, { reason: first.text }) : build('paid-no-warranty', true, {});
}

export const SituationSchema = z
  .object({
    code: z.enum(SITUATIONS),
    paid: z.boolean().nullable().describe('Paid by the client (true), free under a warranty or guarantee (false), not known until diagnosis (null)'),
    text: z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() }).describe('In plain words, per language'),
  })
  .nullable()
  .describe('What the decision means for the client, in plain words (null before the engine decided: no device on record)');
