/**
 * The two astronomical quantities the Vietnamese (and Chinese) lunisolar calendar is built on,
 * computed with the low-precision series from Jean Meeus, "Astronomical Algorithms" (as used in
 * Hồ Ngọc Đức's public description of the Vietnamese calendar algorithm). Accuracy is a few
 * minutes for new moons and about 0.01° for the sun, enough to place both on the right local day
 * except when an event falls within minutes of local midnight.
 */

const DEG = Math.PI / 180;

/** Mean length of a synodic month, in days. */
export const SYNODIC_MONTH = 29.530588853;

/** Julian Day (TT approximated) of the mean new moon k = 0 (1900-01-01 ~13:51 UT). */
export const NEW_MOON_EPOCH_JD = 2415021.076998695;

/**
 * The Julian Day (UT, fractional) of the k-th new moon after 1900-01-01 (Meeus ch. 49, truncated
 * series, with an empirical ΔT correction).
 */
export function newMoonJulianDay(k: number): number {
  const T = k / 1236.85; // Julian centuries since 1900-01-00.5
  const T2 = T * T;
  const T3 = T2 * T;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * DEG);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // moon's argument of latitude
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * DEG) + 0.0021 * Math.sin(2 * DEG * M);
  c1 = c1 - 0.4068 * Math.sin(Mpr * DEG) + 0.0161 * Math.sin(DEG * 2 * Mpr);
  c1 -= 0.0004 * Math.sin(DEG * 3 * Mpr);
  c1 = c1 + 0.0104 * Math.sin(DEG * 2 * F) - 0.0051 * Math.sin(DEG * (M + Mpr));
  c1 = c1 - 0.0074 * Math.sin(DEG * (M - Mpr)) + 0.0004 * Math.sin(DEG * (2 * F + M));
  c1 = c1 - 0.0004 * Math.sin(DEG * (2 * F - M)) - 0.0006 * Math.sin(DEG * (2 * F + Mpr));
  c1 = c1 + 0.001 * Math.sin(DEG * (2 * F - Mpr)) + 0.0005 * Math.sin(DEG * (2 * Mpr + M));
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd1 + c1 - deltaT;
}

/**
 * The sun's apparent ecliptic longitude at Julian Day `jd` (UT, fractional), in radians within
 * [0, 2π) (Meeus ch. 25, low precision).
 */
export function sunLongitude(jd: number): number {
  const T = (jd - 2451545.0) / 36525; // Julian centuries since J2000.0
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(DEG * M);
  DL += (0.019993 - 0.000101 * T) * Math.sin(DEG * 2 * M) + 0.00029 * Math.sin(DEG * 3 * M);
  const L = (L0 + DL) * DEG;
  const twoPi = Math.PI * 2;
  return L - twoPi * Math.floor(L / twoPi);
}
