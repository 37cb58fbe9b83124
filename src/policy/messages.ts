// The engine's own sentences, in English, Bulgarian and Vietnamese. A reason carries its rule id,
// a stable code and these texts with the parameters filled in; the pack's `rules` section holds
// each rule's own statement in the business's languages.
import type { Lang, Texts } from './types.ts';

type Catalog = Record<string, { en: string; bg: string; vi: string }>;

export const MESSAGES: Catalog = {
  'base-term': {
    en: 'Warranty of {term} from {start}, until {end}.',
    bg: 'Гаранция {term} от {start}, до {end}.',
    vi: 'Bảo hành {term} từ {start}, đến {end}.',
  },
  'part-term': {
    en: 'Part warranty of {term} from {start}, until {end}.',
    bg: 'Гаранция на частта {term} от {start}, до {end}.',
    vi: 'Bảo hành linh kiện {term} từ {start}, đến {end}.',
  },
  'legal-term': {
    en: 'Legal guarantee of {term} from delivery on {start}, until {end}.',
    bg: 'Законова гаранция {term} от доставката на {start}, до {end}.',
    vi: 'Bảo đảm theo luật {term} từ ngày giao hàng {start}, đến {end}.',
  },
  'suspended-for-repair': {
    en: 'The warranty did not run during the repair from {from} to {to}: extended by {days}, now until {end}.',
    bg: 'Гаранцията не тече по време на ремонта от {from} до {to}: удължава се с {days}, вече до {end}.',
    vi: 'Thời hạn bảo hành tạm dừng trong thời gian sửa chữa từ {from} đến {to}: được cộng thêm {days}, nay đến {end}.',
  },
  'suspended-for-dispute': {
    en: 'The period did not run while the dispute was negotiated from {from} to {to}: extended by {days}, now until {end}.',
    bg: 'Срокът спира да тече по време на преговорите по спора от {from} до {to}: удължава се с {days}, вече до {end}.',
    vi: 'Thời hạn tạm dừng trong thời gian thương lượng tranh chấp từ {from} đến {to}: được cộng thêm {days}, nay đến {end}.',
  },
  'repair-term': {
    en: 'The repair has its own warranty of {term}: covered until {end}.',
    bg: 'Ремонтът има собствена гаранция {term}: покрито до {end}.',
    vi: 'Việc sửa chữa có bảo hành riêng {term}: được bảo hành đến {end}.',
  },
  extension: {
    en: 'Extension "{plan}" bought: {term} more, until {end}.',
    bg: 'Закупено удължаване „{plan}“: още {term}, до {end}.',
    vi: 'Đã mua gói gia hạn "{plan}": thêm {term}, đến {end}.',
  },
  'replacement-keeps-term': {
    en: 'A replacement keeps the original warranty period (until {end}).',
    bg: 'Замяната запазва първоначалния гаранционен срок (до {end}).',
    vi: 'Sản phẩm thay thế giữ nguyên thời hạn bảo hành ban đầu (đến {end}).',
  },
  'replacement-minimum': {
    en: 'The replacement gets at least {term} from its replacement date: until {end}.',
    bg: 'Новият артикул, получен при замяната, има гаранция най-малко {term} от датата на замяната: до {end}.',
    vi: 'Sản phẩm hoặc linh kiện thay thế được bảo hành ít nhất {term} kể từ ngày thay: đến {end}.',
  },
  voided: {
    en: 'The warranty was voided on {date}. {note}',
    bg: 'Гаранцията е анулирана на {date}. {note}',
    vi: 'Bảo hành bị hủy từ ngày {date}. {note}',
  },
  'ended-on-transfer': {
    en: 'The warranty ended when the device changed owner on {date}.',
    bg: 'Гаранцията е прекратена при смяната на собственика на {date}.',
    vi: 'Bảo hành chấm dứt khi thiết bị đổi chủ sở hữu ngày {date}.',
  },
  'follows-device': {
    en: 'The device changed owner on {date}; the warranty follows the device.',
    bg: 'Устройството смени собственика си на {date}; гаранцията следва устройството.',
    vi: 'Thiết bị đổi chủ sở hữu ngày {date}; bảo hành vẫn theo thiết bị.',
  },
  'part-removed': {
    en: 'Part {part} was replaced and left the device.',
    bg: 'Частта {part} е заменена и вече не е в устройството.',
    vi: 'Linh kiện {part} đã được thay và không còn trong thiết bị.',
  },
  'not-covered-category': {
    en: 'Items of the category "{category}" are not covered by the warranty.',
    bg: 'Артикулите от категория „{category}“ не се покриват от гаранцията.',
    vi: 'Các mặt hàng thuộc loại "{category}" không được bảo hành.',
  },
  'part-no-term': {
    en: 'Parts of the category "{category}" have no warranty.',
    bg: 'Частите от категория „{category}“ са без гаранция.',
    vi: 'Linh kiện loại "{category}" không có bảo hành.',
  },
  'minimum-term': {
    en: 'The stated term is raised to the minimum of {term}.',
    bg: 'Посоченият срок се увеличава до минималния от {term}.',
    vi: 'Thời hạn ghi trên sản phẩm được nâng lên mức tối thiểu {term}.',
  },
  'not-started': {
    en: 'The warranty has not started: none of these events is recorded yet: {events}.',
    bg: 'Гаранцията не е започнала: още няма записано събитие от: {events}.',
    vi: 'Bảo hành chưa bắt đầu: chưa ghi nhận sự kiện nào trong số: {events}.',
  },
  'no-term': {
    en: 'Items of the category "{category}" carry no warranty.',
    bg: 'Артикулите от категория „{category}“ са без гаранция.',
    vi: 'Các mặt hàng loại "{category}" không có bảo hành.',
  },
  'status-active': {
    en: 'Covered until {end} ({daysLeft} days left).',
    bg: 'В гаранция до {end} (остават {daysLeft} дни).',
    vi: 'Còn bảo hành đến {end} (còn {daysLeft} ngày).',
  },
  'status-suspended': {
    en: 'In repair: the warranty is paused and currently runs until {end}.',
    bg: 'В ремонт: гаранцията е спряна и в момента е до {end}.',
    vi: 'Đang sửa chữa: bảo hành tạm dừng, hiện tại đến {end}.',
  },
  'status-expired': {
    en: 'The warranty ended on {end}.',
    bg: 'Гаранцията изтече на {end}.',
    vi: 'Bảo hành đã hết hạn ngày {end}.',
  },
  'status-not-started': {
    en: 'The warranty has not started yet.',
    bg: 'Гаранцията още не е започнала.',
    vi: 'Bảo hành chưa bắt đầu.',
  },
  'status-void': {
    en: 'The warranty is void.',
    bg: 'Гаранцията е анулирана.',
    vi: 'Bảo hành đã bị hủy.',
  },
  'status-not-covered': {
    en: 'Not covered.',
    bg: 'Не се покрива от гаранцията.',
    vi: 'Không thuộc phạm vi bảo hành.',
  },
  'outside-country': {
    en: 'The warranty applies in {home}; in {country} the manufacturer\'s terms apply.',
    bg: 'Гаранцията важи в {home}; в {country} важат условията на производителя.',
    vi: 'Bảo hành áp dụng tại {home}; tại {country} áp dụng điều kiện của nhà sản xuất.',
  },
  'not-own-work': {
    en: 'Only products and work the business itself installed, repaired or maintained are covered; third-party interventions are not.',
    bg: 'Покриват се само продукти и работа, инсталирани, ремонтирани или поддържани от фирмата; намеси на трети лица не се покриват.',
    vi: 'Chỉ bảo hành sản phẩm và công việc do chính công ty lắp đặt, sửa chữa hoặc bảo trì; can thiệp của bên thứ ba không được bảo hành.',
  },
  'in-coverage': {
    en: 'The claim falls within the warranty ({start} to {end}).',
    bg: 'Рекламацията е в гаранционния срок ({start} до {end}).',
    vi: 'Yêu cầu nằm trong thời hạn bảo hành ({start} đến {end}).',
  },
  'claim-expired': {
    en: 'The warranty had ended on {end}, before the claim.',
    bg: 'Гаранцията е изтекла на {end}, преди рекламацията.',
    vi: 'Bảo hành đã hết hạn ngày {end}, trước khi có yêu cầu.',
  },
  'claim-not-started': {
    en: 'The warranty had not started when the claim was made.',
    bg: 'Гаранцията не е била започнала към датата на рекламацията.',
    vi: 'Bảo hành chưa bắt đầu khi có yêu cầu.',
  },
  'claim-void': {
    en: 'The warranty was void when the claim was made.',
    bg: 'Гаранцията е била анулирана към датата на рекламацията.',
    vi: 'Bảo hành đã bị hủy khi có yêu cầu.',
  },
  'legal-guarantee-applies': {
    en: 'The legal guarantee still applies (until {end}): a non-conformity is put right free of charge.',
    bg: 'Законовата гаранция все още важи (до {end}): несъответствието се отстранява безплатно.',
    vi: 'Bảo đảm theo luật vẫn còn hiệu lực (đến {end}): sự không phù hợp được khắc phục miễn phí.',
  },
  'manufacturer-route': {
    en: 'The manufacturer\'s warranty {provider} takes precedence (until {end}); it is served at the manufacturer\'s authorized service centers.',
    bg: 'Гаранцията на производителя {provider} има предимство (до {end}); обслужва се в оторизираните сервизи на производителя.',
    vi: 'Bảo hành của nhà sản xuất {provider} được ưu tiên (đến {end}); được thực hiện tại trung tâm bảo hành ủy quyền của nhà sản xuất.',
  },
  'discount-defect': {
    en: 'The item was sold at a discount for the defect "{defect}"; that defect is not covered.',
    bg: 'Стоката е продадена с отстъпка заради дефекта „{defect}“; този дефект не се покрива.',
    vi: 'Sản phẩm được bán giảm giá vì lỗi "{defect}"; lỗi đó không được bảo hành.',
  },
  'pixels-defect': {
    en: 'Dead pixels beyond the allowed limits ({over}): a defect.',
    bg: 'Дефектни пиксели над допустимите граници ({over}): дефект.',
    vi: 'Điểm ảnh chết vượt giới hạn cho phép ({over}): là lỗi.',
  },
  'pixels-within-limits': {
    en: 'The dead pixels are within the allowed limits (ISO 13406-2 class II): not a defect.',
    bg: 'Дефектните пиксели са в допустимите граници (ISO 13406-2, клас II): не е дефект.',
    vi: 'Số điểm ảnh chết nằm trong giới hạn cho phép (ISO 13406-2 loại II): không phải lỗi.',
  },
  'missing-detail': {
    en: 'The claim lacks: {field}.',
    bg: 'В рекламацията липсва: {field}.',
    vi: 'Yêu cầu còn thiếu: {field}.',
  },
  'missing-information': {
    // Worded without agreement on {count} (it may be 1): "Required details or proofs missing: 1".
    en: 'Required details or proofs missing: {count}; the claim can be decided once they are supplied.',
    bg: 'Липсващи задължителни данни или документи: {count}; рекламацията ще бъде решена, след като бъдат представени.',
    vi: 'Số thông tin hoặc chứng từ bắt buộc còn thiếu: {count}; yêu cầu sẽ được xử lý khi bổ sung đủ.',
  },
  provisional: {
    en: 'Within warranty on the record; final after diagnosis.',
    bg: 'В гаранция според записаното; окончателно след диагностика.',
    vi: 'Trong thời hạn bảo hành theo hồ sơ; kết luận cuối cùng sau khi chẩn đoán.',
  },
  'free-of-charge': {
    en: 'Putting the goods right is free of charge to the consumer: no shipping, parts or labour costs.',
    bg: 'Привеждането в съответствие е безплатно за потребителя: без разходи за транспорт, части и труд.',
    vi: 'Việc khắc phục miễn phí cho người tiêu dùng: không tính phí vận chuyển, linh kiện hay nhân công.',
  },
  'charge-inbound-freight': {
    en: 'Shipping to the service is paid by the {payer}.',
    bg: 'Транспортът до сервиза се плаща от {payer}.',
    vi: 'Phí gửi hàng đến trung tâm bảo hành do {payer} trả.',
  },
  'charge-outbound-freight': {
    en: 'Shipping back is paid by the {payer}.',
    bg: 'Транспортът обратно се плаща от {payer}.',
    vi: 'Phí gửi trả hàng do {payer} trả.',
  },
  'refusal-owes-fees': {
    en: 'On refusing the paid repair the client owes the diagnosis fee and transport.',
    bg: 'При отказ от платения ремонт клиентът дължи таксата за диагностика и транспорта.',
    vi: 'Khi từ chối sửa chữa có phí, khách hàng phải trả phí chẩn đoán và vận chuyển.',
  },
  'refusal-owes-diagnosis': {
    en: 'On refusing the paid repair the client owes the diagnosis fee.',
    bg: 'При отказ от платения ремонт клиентът дължи таксата за диагностика.',
    vi: 'Khi từ chối sửa chữa có phí, khách hàng phải trả phí chẩn đoán.',
  },
  'no-fix-within': {
    en: 'Not repaired or replaced by {deadline}, one month after the claim: the consumer may terminate the contract or ask for a price reduction.',
    bg: 'Стоката не е ремонтирана или заменена до {deadline}, един месец след рекламацията: потребителят може да развали договора или да поиска намаляване на цената.',
    vi: 'Không sửa chữa hoặc thay thế trước {deadline}, một tháng sau khi khiếu nại: người tiêu dùng có thể hủy hợp đồng hoặc yêu cầu giảm giá.',
  },
  'fix-due-by': {
    en: 'The goods must be put right by {deadline}, one month after the claim.',
    bg: 'Стоката трябва да бъде приведена в съответствие до {deadline}, един месец след рекламацията.',
    vi: 'Hàng phải được khắc phục trước {deadline}, một tháng sau khi khiếu nại.',
  },
  'repairs-count': {
    en: '{count} repairs within the warranty already: a further non-conformity entitles the consumer to a refund.',
    bg: 'Вече {count} ремонта в гаранционния срок: при ново несъответствие потребителят има право на възстановяване на сумата.',
    vi: 'Đã sửa chữa {count} lần trong thời hạn bảo hành: nếu tiếp tục không phù hợp, người tiêu dùng được hoàn tiền.',
  },
  'insignificant-no-termination': {
    en: 'The non-conformity is insignificant: the contract cannot be terminated for it (no termination or refund; a price reduction remains possible).',
    bg: 'Несъответствието е незначително: договорът не може да бъде развален заради него (без разваляне и възстановяване на цената; намаляване на цената остава възможно).',
    vi: 'Sự không phù hợp là không đáng kể: không thể hủy hợp đồng vì lý do này (không hủy, không hoàn tiền; vẫn có thể giảm giá).',
  },
  'proof-none': {
    en: 'A required proof does not exist ({proof}): the claim cannot meet {rules}, so the warranty does not apply; paid service remains.',
    bg: 'Задължителен документ липсва изобщо ({proof}): рекламацията не отговаря на {rules}, затова гаранцията не се прилага; остава платено обслужване.',
    vi: 'Không có chứng từ bắt buộc ({proof}): yêu cầu không đáp ứng {rules}, nên không được bảo hành; vẫn có thể sử dụng dịch vụ có phí.',
  },
  'proof-none-rule': {
    en: 'Without that proof the warranty is not valid.',
    bg: 'Без този документ гаранцията не е валидна.',
    vi: 'Không có chứng từ đó thì bảo hành không có hiệu lực.',
  },
  'missing-for-rule': {
    en: 'This rule too asks for what is listed as missing.',
    bg: 'Това правило също изисква посоченото като липсващо.',
    vi: 'Quy định này cũng yêu cầu những mục được nêu là còn thiếu.',
  },
  'maintenance-active': {
    en: 'The warranty has ended, but the device has premium maintenance until {end}: the fault is handled as maintenance, not as a warranty claim.',
    bg: 'Гаранцията е изтекла, но устройството има поддръжка до {end}: повредата се обслужва като поддръжка, а не като гаранционна рекламация.',
    vi: 'Bảo hành đã hết, nhưng thiết bị được bảo trì đến {end}: sự cố được xử lý theo bảo trì, không phải yêu cầu bảo hành.',
  },
  'legal-guarantee-beside': {
    en: 'Beside the manufacturer\'s service, the seller still answers for a non-conformity under the legal guarantee (until {end}): the consumer may ask the seller to repair or replace the goods free of charge.',
    bg: 'Наред с обслужването от производителя продавачът отговаря за несъответствието по законовата гаранция (до {end}): потребителят може да поиска от продавача безплатен ремонт или замяна.',
    vi: 'Bên cạnh dịch vụ của nhà sản xuất, người bán vẫn chịu trách nhiệm về sự không phù hợp theo bảo đảm của pháp luật (đến {end}): người tiêu dùng có thể yêu cầu người bán sửa chữa hoặc đổi hàng miễn phí.',
  },
  'legal-position-available': {
    en: 'Legal guarantee: the consumer\'s statutory claim against the seller is open until {end}, whatever the commercial warranty says.',
    bg: 'Законова гаранция: потребителят може да предяви рекламация към продавача до {end}, независимо от търговската гаранция.',
    vi: 'Bảo đảm theo luật: người tiêu dùng có quyền khiếu nại người bán đến {end}, bất kể điều kiện bảo hành thương mại.',
  },
  'legal-position-expired': {
    en: 'Legal guarantee: the statutory period ended on {end}.',
    bg: 'Законова гаранция: законовият срок изтече на {end}.',
    vi: 'Bảo đảm theo luật: thời hạn theo luật đã kết thúc ngày {end}.',
  },
  'legal-position-not-started': {
    en: 'Legal guarantee: the statutory period starts on {start}, at delivery.',
    bg: 'Законова гаранция: законовият срок започва на {start}, с доставката.',
    vi: 'Bảo đảm theo luật: thời hạn theo luật bắt đầu từ ngày giao hàng {start}.',
  },
  'legal-remedy-repair': {
    en: 'Under the legal guarantee: repair by the seller, free of charge (the consumer chooses repair or replacement).',
    bg: 'По законовата гаранция: безплатен ремонт от продавача (потребителят избира ремонт или замяна).',
    vi: 'Theo bảo đảm của pháp luật: người bán sửa chữa miễn phí (người tiêu dùng chọn sửa chữa hoặc đổi hàng).',
  },
  'legal-remedy-replacement': {
    en: 'Under the legal guarantee: replacement by the seller, free of charge, unless impossible or disproportionate.',
    bg: 'По законовата гаранция: безплатна замяна от продавача, освен ако е невъзможна или непропорционална.',
    vi: 'Theo bảo đảm của pháp luật: người bán đổi hàng miễn phí, trừ khi không thể hoặc không tương xứng.',
  },
  'legal-needs-non-conformity': {
    en: 'The fault is a non-conformity with the contract of sale, not damage from use or outside causes after delivery.',
    bg: 'Повредата е несъответствие с договора за продажба, а не щета от употреба или външни причини след доставката.',
    vi: 'Lỗi là sự không phù hợp với hợp đồng mua bán, không phải hư hỏng do sử dụng hoặc nguyên nhân bên ngoài sau khi giao hàng.',
  },
  'legal-needs-within-period': {
    en: 'The claim is made to the seller by {end} ({term} from delivery; the period stops during repairs and negotiation).',
    bg: 'Рекламацията е предявена пред продавача до {end} ({term} от доставката; срокът спира по време на ремонт и преговори).',
    vi: 'Khiếu nại gửi đến người bán trước {end} ({term} kể từ ngày giao hàng; thời hạn tạm dừng trong thời gian sửa chữa và thương lượng).',
  },
  'legal-needs-proof-of-purchase': {
    en: 'Proof that the goods were bought from this seller (invoice, receipt, warranty card or a copy).',
    bg: 'Доказателство, че стоката е купена от този продавач (фактура, касова бележка, гаранционна карта или копие).',
    vi: 'Chứng từ mua hàng từ người bán này (hóa đơn, biên lai, phiếu bảo hành hoặc bản sao).',
  },
  'remedy-manufacturer-service': {
    en: 'Service by the manufacturer\'s authorized service center.',
    bg: 'Обслужване в оторизиран сервиз на производителя.',
    vi: 'Bảo hành tại trung tâm bảo hành ủy quyền của nhà sản xuất.',
  },
  'remedy-terminate': {
    en: 'Terminate the contract and get the price back.',
    bg: 'Разваляне на договора и възстановяване на цената.',
    vi: 'Hủy hợp đồng và được hoàn lại tiền.',
  },
  'remedy-price-reduction': {
    en: 'A reduction of the price.',
    bg: 'Намаляване на цената.',
    vi: 'Giảm giá sản phẩm.',
  },
  'remedy-refund': {
    en: 'A refund of the price after {count} repairs.',
    bg: 'Възстановяване на цената след {count} ремонта.',
    vi: 'Hoàn tiền sau {count} lần sửa chữa.',
  },
};

const PARAM = /\{(\w+)\}/g;

/** A parameter is a plain value, or a value per language (a term: '3 months', '3 месеца', '3 tháng'). */
export type Param = string | number | Texts;
export type Params = Record<string, Param>;

// Templates are split once into literal and parameter pieces: even pieces are text, odd pieces
// parameter names ('Until {end}.' → ['Until ', 'end', '.']).
const compiled = new Map<string, string[]>();
function pieces(template: string): string[] {
  let p = compiled.get(template);
  if (!p) {
    p = template.split(PARAM);
    compiled.set(template, p);
  }
  return p;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
/**
 * A calendar date in a sentence, the way the language writes it everywhere (web, documents, messages):
 * 24.01.2027 (bg), 24/01/2027 (vi), 2027-01-24 (en). Issue 16: one date format per language.
 */
export function dayIn(lang: Lang, iso: string): string {
  const [y, m, d] = iso.split('-');
  return lang === 'bg' ? `${d}.${m}.${y}` : lang === 'vi' ? `${d}/${m}/${y}` : iso;
}

function fill(template: string, params: Params, lang: Lang): string {
  if (template.indexOf('{') < 0) return template;
  const p = pieces(template);
  let out = p[0];
  for (let i = 1; i < p.length; i += 2) {
    const v = params[p[i]];
    out += (v === undefined ? `{${p[i]}}` : typeof v === 'object' ? (v[lang] ?? v.en) : typeof v === 'string' && ISO_DAY.test(v) ? dayIn(lang, v) : String(v)) + p[i + 1];
  }
  // An empty parameter ('{provider}' with no provider) must not leave a double space behind.
  if (out.indexOf('  ') >= 0) out = out.replace(/ {2,}/g, ' ');
  return out.endsWith(' ') ? out.trimEnd() : out;
}

/**
 * The engine's sentence `code` in every language, parameters filled in on first read. A decision
 * carries dozens of sentences and most callers read one language or none, so the strings are built
 * lazily; `toJSON` gives the plain `{ en, bg, vi }` object.
 */
class LazyTexts {
  #code: string;
  #params: Params | (() => Params);
  #cache?: { en: string; bg: string; vi: string };
  constructor(code: string, params: Params | (() => Params)) {
    this.#code = code;
    this.#params = params;
  }
  #all() {
    if (!this.#cache) {
      const m = MESSAGES[this.#code];
      const p = typeof this.#params === 'function' ? this.#params() : this.#params;
      this.#cache = m
        ? { en: fill(m.en, p, 'en'), bg: fill(m.bg, p, 'bg'), vi: fill(m.vi, p, 'vi') }
        : { en: this.#code, bg: this.#code, vi: this.#code };
    }
    return this.#cache;
  }
  get en(): string {
    return this.#all().en;
  }
  get bg(): string {
    return this.#all().bg;
  }
  get vi(): string {
    return this.#all().vi;
  }
  toJSON(): { en: string; bg: string; vi: string } {
    return this.#all();
  }
}

/** `params` may be a function, called only when a text is read. */
export function say(code: string, params: Params | (() => Params)): Texts {
  return new LazyTexts(code, params);
}

/** A plain `{ en, bg, vi }` copy of texts (lazy or not), for equality checks and storage. */
export function plainTexts(t: Texts): Texts {
  return t instanceof LazyTexts ? t.toJSON() : t;
}

const UNITS: Record<string, { en: [string, string]; bg: [string, string]; vi: [string, string] }> = {
  days: { en: ['day', 'days'], bg: ['ден', 'дни'], vi: ['ngày', 'ngày'] },
  weeks: { en: ['week', 'weeks'], bg: ['седмица', 'седмици'], vi: ['tuần', 'tuần'] },
  months: { en: ['month', 'months'], bg: ['месец', 'месеца'], vi: ['tháng', 'tháng'] },
  years: { en: ['year', 'years'], bg: ['година', 'години'], vi: ['năm', 'năm'] },
};

/** A term in words, per language. */
export function termTexts(amount: number, unit: keyof typeof UNITS): Texts {
  const u = UNITS[unit];
  const n = amount === 1 ? 0 : 1;
  return { en: `${amount} ${u.en[n]}`, bg: `${amount} ${u.bg[n]}`, vi: `${amount} ${u.vi[n]}` };
}

/** Picks a language from texts, falling back to English. */
export function pick(t: Texts, lang: Lang): string {
  return t[lang] ?? t.en;
}

// ---------- names inside sentences (issue 16: no raw English ids in Bulgarian or Vietnamese) ----------

type Words3 = Record<string, { en: string; bg: string; vi: string }>;
const CATEGORY_WORDS: Words3 = {
  laptop: { en: 'laptop', bg: 'лаптоп', vi: 'máy tính xách tay' },
  monitor: { en: 'monitor', bg: 'монитор', vi: 'màn hình' },
  phone: { en: 'phone', bg: 'телефон', vi: 'điện thoại' },
  tablet: { en: 'tablet', bg: 'таблет', vi: 'máy tính bảng' },
  desktop: { en: 'desktop computer', bg: 'настолен компютър', vi: 'máy tính để bàn' },
  workstation: { en: 'workstation', bg: 'работна станция', vi: 'máy trạm' },
  printer: { en: 'printer', bg: 'принтер', vi: 'máy in' },
  storage: { en: 'storage', bg: 'система за съхранение', vi: 'thiết bị lưu trữ' },
  switch: { en: 'switch', bg: 'комутатор', vi: 'thiết bị chuyển mạch' },
  network: { en: 'network equipment', bg: 'мрежово оборудване', vi: 'thiết bị mạng' },
  installation: { en: 'installation', bg: 'инсталация', vi: 'lắp đặt' },
  battery: { en: 'battery', bg: 'батерия', vi: 'pin' },
  adapter: { en: 'adapter', bg: 'адаптер', vi: 'bộ chuyển đổi' },
  'power-adapter': { en: 'power adapter', bg: 'захранващ адаптер', vi: 'bộ nguồn' },
  memory: { en: 'memory', bg: 'памет', vi: 'bộ nhớ' },
  disk: { en: 'disk', bg: 'диск', vi: 'ổ đĩa' },
  keyboard: { en: 'keyboard', bg: 'клавиатура', vi: 'bàn phím' },
  remote: { en: 'remote control', bg: 'дистанционно', vi: 'điều khiển từ xa' },
  headset: { en: 'headset', bg: 'слушалки', vi: 'tai nghe' },
  software: { en: 'software', bg: 'софтуер', vi: 'phần mềm' },
  consumable: { en: 'consumable', bg: 'консуматив', vi: 'vật tư tiêu hao' },
  toner: { en: 'toner', bg: 'тонер', vi: 'mực in laser' },
  ink: { en: 'ink', bg: 'мастило', vi: 'mực in' },
  'print-head': { en: 'print head', bg: 'печатаща глава', vi: 'đầu in' },
  ribbon: { en: 'ribbon', bg: 'лента', vi: 'ruy băng mực' },
  'magnetic-media': { en: 'magnetic media', bg: 'магнитни носители', vi: 'phương tiện từ tính' },
  module: { en: 'module', bg: 'модул', vi: 'mô-đun' },
};
const EVENT_WORDS: Words3 = {
  sale: { en: 'sale', bg: 'продажба', vi: 'bán hàng' },
  delivery: { en: 'delivery', bg: 'доставка', vi: 'giao hàng' },
  shipping: { en: 'shipping', bg: 'изпращане', vi: 'gửi hàng' },
  installation: { en: 'installation', bg: 'инсталиране', vi: 'lắp đặt' },
  activation: { en: 'activation', bg: 'активиране', vi: 'kích hoạt' },
  'repair-completed': { en: 'repair completed', bg: 'завършен ремонт', vi: 'sửa xong' },
  'repair-accepted': { en: 'repair accepted', bg: 'приемане за ремонт', vi: 'nhận sửa' },
};
const FIELD_WORDS: Words3 = {
  name: { en: 'name', bg: 'име', vi: 'họ tên' },
  address: { en: 'address', bg: 'адрес', vi: 'địa chỉ' },
  email: { en: 'e-mail', bg: 'имейл', vi: 'email' },
  phone: { en: 'phone', bg: 'телефон', vi: 'số điện thoại' },
  model: { en: 'model', bg: 'модел', vi: 'model' },
  serial: { en: 'serial number', bg: 'сериен номер', vi: 'số sê-ri' },
  purchaseDate: { en: 'date of purchase', bg: 'дата на покупка', vi: 'ngày mua' },
  purchasePlace: { en: 'place of purchase', bg: 'място на покупка', vi: 'nơi mua' },
  description: { en: 'description of the problem', bg: 'описание на проблема', vi: 'mô tả sự cố' },
};
const named = (words: Words3, id: string): Texts => words[id] ?? { en: id, bg: id, vi: id };
/** A device or part category in words of each language (as recorded when we have no word for it). */
export const categoryName = (id: string): Texts => named(CATEGORY_WORDS, id);
/** A claim detail (ITEMA-27) in words of each language. */
export const fieldName = (id: string): Texts => named(FIELD_WORDS, id);
/** Events in words, joined the language's way ("sale, delivery or installation"). */
export function eventNames(ids: readonly string[]): Texts {
  const list = (l: Lang, or: string) => {
    const w = ids.map((id) => EVENT_WORDS[id]?.[l] ?? id);
    return w.length > 1 ? `${w.slice(0, -1).join(', ')}${or}${w[w.length - 1]}` : (w[0] ?? '');
  };
  return { en: list('en', ' or '), bg: list('bg', ' или '), vi: list('vi', ' hoặc ') };
}
const regionNames = new Map<Lang, Intl.DisplayNames>();
/** A country code (ITEMA-5: "BG") by its name in each language ("България", "Bulgaria", "Bun-ga-ri"). */
export function countryName(code: string): Texts {
  const of = (l: Lang) => {
    let d = regionNames.get(l);
    if (!d) regionNames.set(l, (d = new Intl.DisplayNames([l], { type: 'region' })));
    try {
      return d.of(code) ?? code;
    } catch {
      return code;
    }
  };
  return { en: of('en'), bg: of('bg'), vi: of('vi') };
}
