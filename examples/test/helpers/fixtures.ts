/** Test data of the example jobs: orders, statement lines, and the business-date arithmetic. */
import type { Order } from './core-banking-server.js';

const ZONE = 'Asia/Ho_Chi_Minh';

/** The local calendar date of `instant` in Asia/Ho_Chi_Minh, shifted by `days`, as `yyyy-MM-dd`. */
export function localDate(instant: Date, days = 0): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const utc = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + days));
  return utc.toISOString().slice(0, 10);
}

/** The business date a run started at `instant` settles: yesterday, in Asia/Ho_Chi_Minh. */
export const businessDateOf = (instant: Date): string => localDate(instant, -1);

/** Waits while the Vietnamese clock is within a few seconds of midnight, so "yesterday" cannot change mid-test. */
export async function clearOfLocalMidnight(marginMs = 5_000): Promise<void> {
  for (;;) {
    const now = Date.now();
    if (localDate(new Date(now)) === localDate(new Date(now + marginMs))) return;
    await new Promise((r) => setTimeout(r, marginMs));
  }
}

const BRANCHES = ['Chi nhánh Hà Nội', 'Chi nhánh TP. Hồ Chí Minh', 'Chi nhánh Đà Nẵng'];
const CUSTOMERS = [
  'Nguyễn Văn Ánh', 'Trần Thị Bích Ngọc', 'Lê Hoàng Phúc', 'Phạm Thị Thu Hương', 'Hoàng Đức Thắng',
  'Vũ Ngọc Ẩn', 'Đặng Quốc Việt', 'Bùi Thị Hồng Nhung', 'Đỗ Minh Khôi', 'Hồ Thị Yến',
  'Ngô Bảo Châu', 'Dương Thị Kiều Trinh',
];

/** The settled orders of a business date: 12 orders over 3 branches, amounts with and without cents. */
export function ordersOf(businessDate: string): Order[] {
  const day = businessDate.replaceAll('-', '');
  return CUSTOMERS.map((customer_name, i) => ({
    order_id: `DH-${day}-${String(i + 1).padStart(4, '0')}`,
    customer_name,
    branch: BRANCHES[i % BRANCHES.length]!,
    amount: (i + 1) * 1_250_000 + (i % 4 === 0 ? 0.5 : 0) + (i % 5 === 0 ? 0.25 : 0),
    currency: 'VND',
  }));
}

/** One line of the bank's statement file, as the bank writes it. */
export interface StatementLine {
  date: string; // dd/MM/yyyy
  ref: string;
  account: string;
  counterparty: string;
  description: string;
  amount: string; // Vietnamese format: 1.250.000,50
  status: 'Thành công' | 'Thất bại';
}

/** Statement lines of a business date: credits, one debit, one failed line. */
export function statementLinesOf(businessDate: string): StatementLine[] {
  const [y, m, d] = businessDate.split('-');
  const date = `${d}/${m}/${y}`;
  const day = businessDate.replaceAll('-', '');
  return [
    { date, ref: `FT${day}0001`, account: '0011004567890', counterparty: 'CÔNG TY TNHH THƯƠNG MẠI HÀ NỘI', description: 'Thanh toán hóa đơn số 123', amount: '15.000.000,00', status: 'Thành công' },
    { date, ref: `FT${day}0002`, account: '0011004567890', counterparty: 'Nguyễn Thị Minh Khai', description: 'Chuyển tiền học phí; kỳ 2', amount: '2.750.500,50', status: 'Thành công' },
    { date, ref: `FT${day}0003`, account: '0011004567890', counterparty: 'Trần Văn Đức', description: 'Hoàn tiền "đặt cọc"', amount: '-300.000,00', status: 'Thành công' },
    { date, ref: `FT${day}0004`, account: '0011004567890', counterparty: 'CTCP Đầu tư Sài Gòn', description: 'Thanh toán HĐ 45/2024', amount: '120.000.000,00', status: 'Thất bại' },
    { date, ref: `FT${day}0005`, account: '0011009876543', counterparty: 'Lê Thị Ẩn', description: 'Nộp tiền mặt tại quầy', amount: '999.999,99', status: 'Thành công' },
  ];
}

const csvCell = (s: string): string => (/[;"\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** The statement file as the bank writes it: UTF-8 with BOM, `;`-separated, Vietnamese headers, CRLF. */
export function statementCsv(lines: StatementLine[]): string {
  const header = ['Ngày giao dịch', 'Số tham chiếu', 'Số tài khoản', 'Tên đối tác', 'Nội dung', 'Số tiền', 'Trạng thái'];
  const body = lines.map((l) => [l.date, l.ref, l.account, l.counterparty, l.description, l.amount, l.status].map(csvCell).join(';'));
  return `\uFEFF${[header.join(';'), ...body].join('\r\n')}\r\n`;
}

/** `1.250.000,50` → `1250000.50` (exact text). */
export const vnAmountToDecimal = (s: string): string => s.replaceAll('.', '').replace(',', '.');

/** Sum of decimal texts with two places, exactly (in cents), as `123.45`. */
export function sumMoney(values: Array<string | number>): string {
  const cents = values.reduce<bigint>((acc, v) => acc + BigInt(Math.round(Number(v) * 100)), 0n);
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
