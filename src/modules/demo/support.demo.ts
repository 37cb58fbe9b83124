// The support desk in the demo (issue 13): the Vietnamese supplier's maintenance contract with its
// incidents (one became a service order), an e-mailed question, a training session, last year's
// expired contract and a message in triage; ITMall's premium maintenance made at the sale (ITM-1)
// with an assigned, escalated incident at the 24/7 desk (ITM-2) and one that became an RMA (ITM-6).
// Relative to `now`.
import { DateTime } from 'luxon';
import type { Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor } from '../../core/actor.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt, versionCalendar } from '../../policy/index.ts';
import * as contracts from '../contracts/contracts.service.ts';
import * as customers from '../customers/customers.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as support from '../support/support.service.ts';

const H = 3600_000;

export async function seedSupportDemo(tx: Tx, now: Date) {
  const orgs = await tx.selectFrom('organizations').select(['id', 'slug', 'time_zone']).where('slug', 'in', ['vn', 'itmall']).execute();
  const vn = orgs.find((o) => o.slug === 'vn');
  const itmall = orgs.find((o) => o.slug === 'itmall');
  if (vn) await vnDesk(tx, vn, now);
  if (itmall) await itmallDesk(tx, itmall, now);
}

async function vnDesk(tx: Tx, org: { id: string; time_zone: string }, now: Date) {
  const a = systemActor(org.id, 'demo');
  const day = (months: number) => DateTime.fromJSDate(now).setZone(org.time_zone).plus({ months }).toISODate()!;
  const firm = await customers.insert(tx, a, { kind: 'company', name: 'Công ty TNHH Minh Phát', email: 'it@minhphat.example.vn', phone: '+84 24 3795 1234', preferredLanguage: 'vi', preferredChannel: 'email' });
  const server = await devices.insert(tx, a, { serial: 'DEMO-VN-SERVER', manufacturer: 'Dell', model: 'PowerEdge T150', category: 'server', customerId: firm.id });
  // Last year's contract, expired: it covers nothing new, its record stays.
  await contracts.insert(tx, a, { customerId: firm.id, tier: 'standard', startsOn: day(-22), endsOn: DateTime.fromISO(day(-10)).minus({ days: 1 }).toISODate()!, priceMinor: 18_000_000, included: [{ service: 'incident-fixing' }, { service: 'operating-questions' }], deviceIds: [server.id], note: 'Hợp đồng năm trước' }, new Date(now.getTime() - 670 * 24 * H));
  const contract = await contracts.insert(tx, a, {
    customerId: firm.id, tier: 'enterprise', startsOn: day(-10), endsOn: day(2), priceMinor: 36_000_000,
    included: [{ service: 'incident-fixing' }, { service: 'training-sessions', quantity: 4 }, { service: 'operating-questions' }, { service: 'remote-support' }],
    deviceIds: [server.id], sites: ['Văn phòng Cầu Giấy'], note: 'Hợp đồng bảo trì năm (VN-5)',
  }, new Date(now.getTime() - 300 * 24 * H));
  const tech = await tx.selectFrom('staff_users').select('id').where('organization_id', '=', org.id).where('role', '=', 'technician').executeTakeFirstOrThrow();
  // Resolved last week, in time.
  const old = await support.openTicket(tx, a, { kind: 'incident', channel: 'phone', customerId: firm.id, deviceId: server.id, subject: 'Mất kết nối mạng LAN', description: 'Máy chủ không nhận card mạng sau khi cập nhật.' }, new Date(now.getTime() - 7 * 24 * H));
  const o2 = await support.actOnTicket(tx, a, old, { action: 'reply', version: old.version, body: 'Kỹ sư đang kết nối từ xa để kiểm tra.' }, new Date(now.getTime() - (7 * 24 - 2) * H));
  await support.actOnTicket(tx, a, o2, { action: 'resolve', version: o2.version, summary: 'Đã cài lại driver card mạng.' }, new Date(now.getTime() - (7 * 24 - 6) * H));
  // Open now: reported two hours ago, assigned to the technician.
  await support.openTicket(tx, a, { kind: 'incident', channel: 'phone', customerId: firm.id, deviceId: server.id, subject: 'Máy chủ khởi động lại liên tục', description: 'Máy chủ tự khởi động lại khoảng 30 phút một lần.', assigneeId: tech.id }, new Date(now.getTime() - 2 * H));
  // An incident that became a service order (the server goes to the workshop), linked both ways.
  const disk = await support.openTicket(tx, a, { kind: 'incident', channel: 'portal', customerId: firm.id, deviceId: server.id, subject: 'Ổ cứng kêu lạ', description: 'Ổ cứng số 2 kêu lạch cạch khi khởi động.' }, new Date(now.getTime() - 26 * H));
  const d2 = await support.actOnTicket(tx, a, disk, { action: 'reply', version: disk.version, body: 'Chúng tôi sẽ nhận máy chủ về xưởng để kiểm tra ổ cứng.' }, new Date(now.getTime() - 25 * H));
  await support.actOnTicket(tx, a, d2, { action: 'open-service-order', version: d2.version }, new Date(now.getTime() - 25 * H));
  // A question by e-mail, answered.
  const q = await support.openTicket(tx, a, { kind: 'question', channel: 'email', customerId: firm.id, subject: 'Sao lưu tự động hằng đêm?', description: 'Xin hướng dẫn cấu hình sao lưu tự động lúc 23:00.' }, new Date(now.getTime() - 2 * 24 * H), { from_address: 'it@minhphat.example.vn', message_id: `<demo-${uuidv7()}@minhphat.example.vn>` });
  await support.actOnTicket(tx, a, q, { action: 'reply', version: q.version, body: 'Quý khách vào Hyper Backup > Tạo tác vụ, chọn lịch 23:00 hằng ngày.' }, new Date(now.getTime() - (2 * 24 - 3) * H));
  // The next working day's training session.
  const { pack } = await orgAndPack(tx, org.id);
  const cal = versionCalendar(versionAt(pack, now.toISOString()));
  let d = DateTime.fromJSDate(now).setZone(org.time_zone).plus({ days: 1 });
  while (cal.isDayOff(d.toISODate()!)) d = d.plus({ days: 1 });
  await support.schedule(tx, a, { contractId: contract.id, topic: 'Quản trị máy chủ và sao lưu', channel: 'online', startsAt: d.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toISO()!, durationMinutes: 120, attendees: [{ name: 'Phạm Quốc Huy', email: 'huy@minhphat.example.vn' }, { name: 'Đỗ Thu Trang' }] }, now);
  // Mail from someone we do not know: in triage, not lost.
  await support.recordTriage(tx, org.id, { from: 'khach.moi@example.vn', author: 'Khách hàng mới', subject: 'Báo giá hợp đồng bảo trì', body: 'Xin gửi báo giá bảo trì cho 5 máy trạm.', reason: 'unknown-sender' }, new Date(now.getTime() - 5 * H));
}

async function itmallDesk(tx: Tx, org: { id: string }, now: Date) {
  const a = systemActor(org.id, 'demo');
  const sw = await tx.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', org.id).where('serial', '=', 'DEMO-ITMALL-SWITCH').executeTakeFirst();
  if (!sw?.customer_id) return;
  // The switch's sale made its included maintenance (ITM-1); this makes it only when it did not.
  await contracts.includeAtSale(tx, a, sw.id, now);
  const tech = await tx.selectFrom('staff_users').select('id').where('organization_id', '=', org.id).where('role', '=', 'technician').executeTakeFirst();
  const t = await support.openTicket(tx, a, { kind: 'incident', channel: 'phone', customerId: sw.customer_id, deviceId: sw.id, subject: 'Stack member 2 flapping', description: 'Uplink ports on member 2 go up and down every few minutes.', assigneeId: tech?.id ?? null }, new Date(now.getTime() - 1 * H));
  await support.actOnTicket(tx, a, t, { action: 'escalate', version: t.version, reason: 'needs the switching engineer' }, new Date(now.getTime() - 0.5 * H));
  // An incident that became an RMA (ITM-6), linked both ways.
  const psu = await support.openTicket(tx, a, { kind: 'incident', channel: 'email', customerId: sw.customer_id, deviceId: sw.id, subject: 'PSU 1 failed', description: 'Power supply 1 shows amber; the stack runs on PSU 2.' }, new Date(now.getTime() - 5 * H));
  await support.actOnTicket(tx, a, psu, { action: 'open-rma', version: psu.version, fault: 'Power supply 1 failed (amber LED, no output)' }, new Date(now.getTime() - 4 * H));
}
