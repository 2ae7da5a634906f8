/**
 * The Vietnamese government's yearly decisions that the Labour Code leaves open, for the years we
 * can state with confidence. Everything else is computed by the rules in `vn-holidays.ts`.
 *
 * - Which five days are the Tết holiday (Art. 112(3) Labour Code 2019: the Prime Minister decides;
 *   the default rule is "last day of the old year + first four days of the new one").
 * - Which day accompanies Quốc khánh 2/9 (since 2021: the day before or after).
 * - Swaps (hoán đổi): a working day given off in exchange for a Saturday worked. These are decided
 *   for civil servants (cán bộ, công chức, viên chức); the State Bank and commercial banks follow
 *   them, and employers may follow them. They live in the `vn-government-swaps` rule so a calendar
 *   can take the law without the swaps.
 *
 * Sources: the yearly announcement of the Ministry of Labour, Invalids and Social Affairs
 * (Bộ LĐTBXH; from March 2025 the Ministry of Home Affairs, Bộ Nội vụ) that carries the Prime
 * Minister's approval. Document numbers are given where we are sure of them; otherwise the source
 * names the ministry, the year and the holiday, and the dates are the ones reported at the time.
 * Add what is missing (or what is decided after this table was written) through a calendar's
 * `excluded_dates` / `extra_working_days`, or extend this table with a source.
 */

/** A decided set of Tết days for one lunar year. */
export interface VnTetDecision {
  /** The Tết holiday days (`YYYY-MM-DD`), weekend days included as decided. */
  days: readonly string[];
  /** The announcement. */
  source: string;
}

/** The day decided to accompany Quốc khánh (2/9) in one year. */
export interface VnNationalDayDecision {
  /** 1 September or 3 September of that year (`YYYY-MM-DD`). */
  date: string;
  /** The announcement. */
  source: string;
}

/** A day swapped by government decision. */
export interface VnSwap {
  /** The day (`YYYY-MM-DD`). */
  date: string;
  /** `day_off`: a working day given off; `working_day`: a Saturday worked to make up for it. */
  kind: 'day_off' | 'working_day';
  /** What the swap is for. */
  label: string;
  /** The announcement. */
  source: string;
}

const MOLISA = 'Bộ LĐTBXH';

/** Decided Tết days, keyed by lunar year, where they differ from the default rule. */
export const VN_TET_DECISIONS: Readonly<Record<number, VnTetDecision>> = {
  // Tết Mậu Tuất: off Wed 14/2 (29 tháng Chạp) – Tue 20/2/2018: Tết = 29, 30 Chạp, mùng 1–3; 17–18/2 weekend → 19–20/2 nghỉ bù.
  2018: {
    days: ['2018-02-14', '2018-02-15', '2018-02-16', '2018-02-17', '2018-02-18'],
    source: `${MOLISA} announcement of the Tết Mậu Tuất 2018 holiday for civil servants (approved by the Prime Minister, 2017)`,
  },
  // Tết Canh Tý: off Thu 23/1 (29 tháng Chạp) – Wed 29/1/2020.
  2020: {
    days: ['2020-01-23', '2020-01-24', '2020-01-25', '2020-01-26', '2020-01-27'],
    source: `${MOLISA} announcement of the Tết Canh Tý 2020 holiday for civil servants (approved by the Prime Minister, 2019)`,
  },
  // Tết Tân Sửu: off Wed 10/2 (29 tháng Chạp) – Tue 16/2/2021.
  2021: {
    days: ['2021-02-10', '2021-02-11', '2021-02-12', '2021-02-13', '2021-02-14'],
    source: `${MOLISA} announcement of the Tết Tân Sửu 2021 holiday (approved by the Prime Minister, 2020)`,
  },
  // Tết Quý Mão: off Fri 20/1 (29 tháng Chạp) – Thu 26/1/2023.
  2023: {
    days: ['2023-01-20', '2023-01-21', '2023-01-22', '2023-01-23', '2023-01-24'],
    source: `${MOLISA} announcement of the Tết Quý Mão 2023 holiday (approved by the Prime Minister, 2022)`,
  },
  // Tết Giáp Thìn: off Thu 8/2 (29 tháng Chạp) – Wed 14/2/2024.
  2024: {
    days: ['2024-02-08', '2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12'],
    source: `${MOLISA} announcement of the Tết Giáp Thìn 2024 holiday (approved by the Prime Minister, 2023)`,
  },
  // Tết Ất Tỵ: off Sat 25/1 – Sun 2/2/2025 (9 days): Tết = Mon 27/1 (28 Chạp) – Fri 31/1 (mùng 3).
  2025: {
    days: ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'],
    source: 'Thông báo 6150/TB-LĐTBXH (14/11/2024), Tết Ất Tỵ 2025 and Quốc khánh 2025 holidays',
  },
};

/** Decided day next to 2/9, keyed by year (Labour Code 2019, from 2021). */
export const VN_NATIONAL_DAY_DECISIONS: Readonly<Record<number, VnNationalDayDecision>> = {
  2021: { date: '2021-09-03', source: `${MOLISA} announcement of the Quốc khánh 2021 holiday (Thu 2/9 – Fri 3/9)` },
  2022: { date: '2022-09-01', source: `${MOLISA} announcement of the Quốc khánh 2022 holiday (Thu 1/9 – Fri 2/9)` },
  2023: { date: '2023-09-01', source: `${MOLISA} announcement of the Quốc khánh 2023 holiday (Fri 1/9 – Sat 2/9, nghỉ bù Mon 4/9)` },
  2024: { date: '2024-09-03', source: `${MOLISA} announcement of the Quốc khánh 2024 holiday (Mon 2/9 – Tue 3/9)` },
  2025: { date: '2025-09-01', source: 'Thông báo 6150/TB-LĐTBXH (14/11/2024): Quốc khánh 2025 on Mon 1/9 – Tue 2/9' },
};

/** Swapped days (hoán đổi) and the Saturdays worked for them. */
export const VN_SWAPS: readonly VnSwap[] = [
  // Tết Dương lịch 2019: off Sat 29/12/2018 – Tue 1/1/2019; Mon 31/12 swapped with Sat 5/1/2019.
  { date: '2018-12-31', kind: 'day_off', label: 'Nghỉ hoán đổi Tết Dương lịch 2019', source: `${MOLISA} announcement of the 2019 New Year holiday (approved by the Prime Minister, 2018)` },
  { date: '2019-01-05', kind: 'working_day', label: 'Làm bù cho ngày 31/12/2018', source: `${MOLISA} announcement of the 2019 New Year holiday (approved by the Prime Minister, 2018)` },
  // 30/4–1/5/2019: off Sat 27/4 – Wed 1/5; Mon 29/4 swapped with Sat 4/5/2019.
  { date: '2019-04-29', kind: 'day_off', label: 'Nghỉ hoán đổi dịp 30/4–1/5/2019', source: `${MOLISA} announcement of the 30/4–1/5/2019 holiday (approved by the Prime Minister)` },
  { date: '2019-05-04', kind: 'working_day', label: 'Làm bù cho ngày 29/4/2019', source: `${MOLISA} announcement of the 30/4–1/5/2019 holiday (approved by the Prime Minister)` },
  // 30/4–1/5/2024: off Sat 27/4 – Wed 1/5; Mon 29/4 swapped with Sat 4/5/2024.
  { date: '2024-04-29', kind: 'day_off', label: 'Nghỉ hoán đổi dịp 30/4–1/5/2024', source: `${MOLISA} announcement of the 30/4–1/5/2024 holiday (approved by the Prime Minister, April 2024)` },
  { date: '2024-05-04', kind: 'working_day', label: 'Làm bù cho ngày 29/4/2024', source: `${MOLISA} announcement of the 30/4–1/5/2024 holiday (approved by the Prime Minister, April 2024)` },
  // 30/4–1/5/2025: off Wed 30/4 – Sun 4/5; Fri 2/5 swapped with Sat 26/4/2025.
  { date: '2025-05-02', kind: 'day_off', label: 'Nghỉ hoán đổi dịp 30/4–1/5/2025', source: `${MOLISA} announcement of the 30/4–1/5/2025 holiday (approved by the Prime Minister, 2025)` },
  { date: '2025-04-26', kind: 'working_day', label: 'Làm bù cho ngày 2/5/2025', source: `${MOLISA} announcement of the 30/4–1/5/2025 holiday (approved by the Prime Minister, 2025)` },
];

/** Years whose decisions this table was checked for (every decided Tết, 2/9 and swap of the year). */
export const VN_ADJUSTMENTS_CHECKED_YEARS: readonly number[] = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
