// The RMA's packing slip and label (ITM-6, ITM-7): the RMA number as a Code 128 barcode and a QR code
// (bwip-js), the items with their serials, the return instruction and deadline, and who pays which
// way (inbound freight is the client's, ITM-7), in the client's language. Drawn by documents/pdf.ts.
import bwipjs from 'bwip-js';
import type { Texts } from '../../policy/types.ts';
import { formatDate, type DocLang } from '../documents/documents.i18n.ts';
import { renderPdf, type Business } from '../documents/documents.service.ts';

const L: Record<DocLang, Record<string, string>> = {
  en: {
    title: 'RMA packing slip', number: 'RMA number', issued: 'Authorized on', returnBy: 'Return by', client: 'Client', invoice: 'Invoice', items: 'Items to return', pos: '#', serial: 'Serial', model: 'Model', fault: 'Fault',
    instruction: 'How to return', freight: 'Freight', inboundClient: 'Inbound freight (to us) is yours: the client pays the shipping of the items to the business.', inboundBusiness: 'Inbound freight (to us) is paid by the business.',
    outboundBusiness: 'Outbound freight (back to you) is paid by the business on valid warranty claims.', outboundClient: 'Outbound freight (back to you) is paid by the client.', label: 'Label: cut out and stick on the box', qr: 'Scan for the RMA', page: 'Page {page} of {pages}', late: 'Late returns',
    cut: 'cut here',
  },
  bg: {
    title: 'Опаковъчен лист за RMA', number: 'RMA номер', issued: 'Одобрено на', returnBy: 'Върнете до', client: 'Клиент', invoice: 'Фактура', items: 'Артикули за връщане', pos: '№', serial: 'Сериен номер', model: 'Модел', fault: 'Неизправност',
    instruction: 'Как да върнете', freight: 'Транспорт', inboundClient: 'Транспортът до нас е за Ваша сметка: клиентът плаща изпращането на артикулите към търговеца.', inboundBusiness: 'Транспортът до нас се поема от търговеца.',
    outboundBusiness: 'Транспортът обратно до Вас се поема от търговеца при основателна гаранционна рекламация.', outboundClient: 'Транспортът обратно до Вас е за сметка на клиента.', label: 'Етикет: изрежете и залепете върху кашона', qr: 'Сканирайте за RMA', page: 'Страница {page} от {pages}', late: 'Закъснели връщания',
    cut: 'изрежете тук',
  },
  vi: {
    title: 'Phiếu đóng gói RMA', number: 'Số RMA', issued: 'Ngày duyệt', returnBy: 'Hạn gửi trả', client: 'Khách hàng', invoice: 'Hóa đơn', items: 'Sản phẩm cần gửi trả', pos: 'STT', serial: 'Số sê-ri', model: 'Mẫu', fault: 'Lỗi',
    instruction: 'Cách gửi trả', freight: 'Vận chuyển', inboundClient: 'Quý khách chịu phí vận chuyển chiều gửi đến chúng tôi.', inboundBusiness: 'Phí vận chuyển chiều gửi đến do doanh nghiệp chịu.',
    outboundBusiness: 'Phí gửi trả lại Quý khách do doanh nghiệp chịu đối với yêu cầu bảo hành hợp lệ.', outboundClient: 'Phí gửi trả lại do Quý khách chịu.', label: 'Nhãn: cắt ra và dán lên thùng hàng', qr: 'Quét để xem RMA', page: 'Trang {page}/{pages}', late: 'Gửi trả trễ hạn',
    cut: 'cắt tại đây',
  },
};

export interface SlipData {
  lang: DocLang;
  business: Business;
  number: string;
  authorizedOn: string;
  returnBy: string | null;
  createdAt: Date;
  client: { name: string; address: string | null };
  invoice: string | null;
  items: { position: number; serial: string; model: string | null; fault: string }[];
  instruction: Texts;
  freight: { inbound: string; outbound: string; rule: string | null };
  lateReturn: Texts | null;
  url: string;
}

const pick = (lang: DocLang, x: Texts | null | undefined) => (x ? (x[lang] ?? x.en) : '');

export async function renderSlip(s: SlipData): Promise<Buffer> {
  const l = L[s.lang];
  const barcode: Buffer = await bwipjs.toBuffer({ bcid: 'code128', text: s.number, scale: 3, height: 12, includetext: true, textxalign: 'center' });
  const qr: Buffer = await bwipjs.toBuffer({ bcid: 'qrcode', text: s.number, scale: 4 });
  return renderPdf(
    s.business,
    {
      title: l.title,
      numbers: [[l.number, s.number], [l.issued, formatDate(s.lang, s.authorizedOn)], [l.returnBy, s.returnBy ? formatDate(s.lang, s.returnBy) : '—']],
      createdAt: s.createdAt,
      qr: { url: s.url, caption: l.qr },
      pageLabel: (page, pages) => l.page.replace('{page}', String(page)).replace('{pages}', String(pages)),
      lang: s.lang,
    },
    (w) => {
      const doc = w.doc;
      const y = doc.y;
      doc.image(barcode, 48, y, { height: 52 });
      doc.image(qr, 48 + w.width - 64, y - 4, { width: 64 });
      doc.y = y + 66;
      w.fields([[l.client, [s.client.name, s.client.address].filter(Boolean).join(', ')], [l.invoice, s.invoice ?? '—']]);
      w.heading(l.items);
      w.table([l.pos, l.serial, l.model, l.fault], s.items.map((i) => [String(i.position), i.serial, i.model ?? '—', i.fault]), [0.07, 0.25, 0.25, 0.43]);
      w.heading(l.instruction);
      w.paragraph(pick(s.lang, s.instruction));
      w.heading(`${l.freight}${s.freight.rule ? ` (${s.freight.rule})` : ''}`);
      w.paragraph(s.freight.inbound === 'client' ? l.inboundClient : l.inboundBusiness, { bold: true });
      w.paragraph(s.freight.outbound === 'business' ? l.outboundBusiness : l.outboundClient);
      if (s.lateReturn) {
        w.heading(l.late);
        w.paragraph(pick(s.lang, s.lateReturn));
      }
      // The label: the number again, large, with its barcode, to stick on the box.
      w.keepTogether(150);
      w.space(14);
      doc.font('R').fontSize(7).fillColor('#555555').text(`- - - - - - - - - - - - - - - - - - - - ${l.cut} - - - - - - - - - - - - - - - - - - - -`, 48, doc.y, { width: w.width, align: 'center' });
      w.space(6);
      const ly = doc.y;
      doc.rect(48, ly, w.width, 120).lineWidth(1).strokeColor('black').stroke();
      doc.font('R').fontSize(8).fillColor('#555555').text(l.label, 58, ly + 8, { width: w.width - 20 });
      doc.font('B').fontSize(22).fillColor('black').text(s.number, 58, ly + 22, { width: w.width - 100 });
      doc.font('R').fontSize(9).text(s.business.name, 58, doc.y + 2, { width: w.width - 100 });
      doc.image(barcode, 58, ly + 62, { height: 48 });
      doc.image(qr, 48 + w.width - 84, ly + 22, { width: 74 });
      doc.y = ly + 128;
    },
  );
}
