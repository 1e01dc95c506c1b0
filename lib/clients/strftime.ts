/**
 * strftime(3) in the C locale, as glibc formats it (upslog's `%TIME ...%`):
 * all POSIX conversions plus the GNU ones (%k %l %P %s %F %G %g %V ...), the
 * flags `_ - 0 ^ #`, a field width, and the E/O modifiers (ignored in the C
 * locale). An unknown conversion is copied as written.
 *
 * @module
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Broken-down local time (struct tm) plus what %s, %z, %Z need. */
export interface Tm {
  year: number; // full year
  mon: number; // 0..11
  mday: number;
  hour: number;
  min: number;
  sec: number;
  wday: number; // 0 = Sunday
  yday: number; // 0..365
  epoch: number; // seconds
  gmtoffMin: number; // minutes east of UTC
  zone: string;
}

/** localtime_r() of a Date (in the process time zone). */
export function localTm(d: Date, zone?: () => string): Tm {
  const start = new Date(d.getFullYear(), 0, 1);
  const yday = Math.round(
    (Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) -
      Date.UTC(start.getFullYear(), 0, 1)) / 86400000,
  );
  let zoneName: string | undefined;
  return {
    year: d.getFullYear(),
    mon: d.getMonth(),
    mday: d.getDate(),
    hour: d.getHours(),
    min: d.getMinutes(),
    sec: d.getSeconds(),
    wday: d.getDay(),
    yday,
    epoch: Math.floor(d.getTime() / 1000),
    gmtoffMin: -d.getTimezoneOffset(),
    get zone() {
      return zoneName ??= zone ? zone() : zoneAbbrev(d);
    },
  };
}

function zoneAbbrev(d: Date): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(d).find((p) => p.type === "timeZoneName");
    return part?.value ?? "";
  } catch {
    return "";
  }
}

/** ISO 8601 week-based year and week number. */
function isoWeek(tm: Tm): { year: number; week: number } {
  const wdayMon = (tm.wday + 6) % 7; // Monday = 0
  // Thursday of this week decides the year
  const thursdayYday = tm.yday - wdayMon + 3;
  const daysInYear = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 366 : 365;
  if (thursdayYday < 0) {
    const py = tm.year - 1;
    const pyday = thursdayYday + daysInYear(py);
    return { year: py, week: Math.floor(pyday / 7) + 1 };
  }
  if (thursdayYday >= daysInYear(tm.year)) return { year: tm.year + 1, week: 1 };
  return { year: tm.year, week: Math.floor(thursdayYday / 7) + 1 };
}

function pad(n: number, width: number, padChar: string): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  const w = neg ? width - 1 : width;
  if (s.length < w) s = padChar.repeat(w - s.length) + s;
  return neg ? "-" + s : s;
}

/** Format `tm` like strftime(3) in the C locale. */
export function strftime(format: string, tm: Tm): string {
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const start = i;
    let j = i + 1;
    let flag = "";
    let upper = false, swap = false;
    while (j < format.length && "_-0^#".includes(format[j])) {
      if (format[j] === "^") upper = true;
      else if (format[j] === "#") swap = true;
      else flag = format[j];
      j++;
    }
    let widthText = "";
    while (j < format.length && format[j] >= "0" && format[j] <= "9") widthText += format[j++];
    while (j < format.length && (format[j] === "E" || format[j] === "O")) j++;
    if (j >= format.length) {
      out += format.slice(start); // a lone '%' (or unfinished spec) at the end
      break;
    }
    const conv = format[j];
    i = j;
    const width = widthText ? Number(widthText) : undefined;
    const r = convert(conv, tm, flag);
    if (r === undefined) {
      out += format.slice(start, j + 1);
      continue;
    }
    let text = r.text;
    if (upper) text = text.toUpperCase();
    else if (swap) text = r.alpha === "lower" ? text.toLowerCase() : text.toUpperCase();
    if (width !== undefined && text.length < width) {
      const padChar = flag === "0" || (r.numeric && flag !== "_" && flag !== "-") ? "0" : " ";
      if (flag === "-" && r.numeric) {
        // '-' drops padding; an explicit width still pads with spaces in glibc
        text = " ".repeat(width - text.length) + text;
      } else if (padChar === "0" && text.startsWith("-")) {
        text = "-" + "0".repeat(width - text.length) + text.slice(1);
      } else {
        text = padChar.repeat(width - text.length) + text;
      }
    }
    out += text;
  }
  return out;
}

interface Converted {
  text: string;
  numeric?: boolean;
  /** How `#` changes the case: most names go upper, %p and %Z go lower. */
  alpha?: "upper" | "lower";
}

function convert(c: string, tm: Tm, flag: string): Converted | undefined {
  const num = (n: number, w: number, defPad = "0"): Converted => {
    const padChar = flag === "-" ? "" : flag === "_" ? " " : flag === "0" ? "0" : defPad;
    return { text: padChar ? pad(n, w, padChar) : String(n), numeric: true };
  };
  const str = (s: string, alpha: "upper" | "lower" = "upper"): Converted => ({ text: s, alpha });
  const h12 = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
  switch (c) {
    case "a":
      return str(DAYS[tm.wday].slice(0, 3));
    case "A":
      return str(DAYS[tm.wday]);
    case "b":
    case "h":
      return str(MONTHS[tm.mon].slice(0, 3));
    case "B":
      return str(MONTHS[tm.mon]);
    case "c":
      return str(strftime("%a %b %e %H:%M:%S %Y", tm));
    case "C":
      return num(Math.floor(tm.year / 100), 2);
    case "d":
      return num(tm.mday, 2);
    case "D":
    case "x":
      return str(strftime("%m/%d/%y", tm));
    case "e":
      return num(tm.mday, 2, " ");
    case "F":
      return str(strftime("%Y-%m-%d", tm));
    case "g":
      return num(((isoWeek(tm).year % 100) + 100) % 100, 2);
    case "G":
      return num(isoWeek(tm).year, 1);
    case "H":
      return num(tm.hour, 2);
    case "I":
      return num(h12, 2);
    case "j":
      return num(tm.yday + 1, 3);
    case "k":
      return num(tm.hour, 2, " ");
    case "l":
      return num(h12, 2, " ");
    case "m":
      return num(tm.mon + 1, 2);
    case "M":
      return num(tm.min, 2);
    case "n":
      return str("\n");
    case "p":
      return str(tm.hour < 12 ? "AM" : "PM", "lower");
    case "P":
      return str(tm.hour < 12 ? "am" : "pm");
    case "r":
      return str(strftime("%I:%M:%S %p", tm));
    case "R":
      return str(strftime("%H:%M", tm));
    case "s":
      return num(tm.epoch, 1);
    case "S":
      return num(tm.sec, 2);
    case "t":
      return str("\t");
    case "T":
    case "X":
      return str(strftime("%H:%M:%S", tm));
    case "u":
      return num(tm.wday === 0 ? 7 : tm.wday, 1);
    case "U":
      return num(Math.floor((tm.yday + 7 - tm.wday) / 7), 2);
    case "V":
      return num(isoWeek(tm).week, 2);
    case "w":
      return num(tm.wday, 1);
    case "W":
      return num(Math.floor((tm.yday + 7 - ((tm.wday + 6) % 7)) / 7), 2);
    case "y":
      return num(((tm.year % 100) + 100) % 100, 2);
    case "Y":
      return num(tm.year, 1);
    case "z": {
      const off = tm.gmtoffMin;
      const a = Math.abs(off);
      return str(
        (off < 0 ? "-" : "+") + String(Math.floor(a / 60)).padStart(2, "0") +
          String(a % 60).padStart(2, "0"),
      );
    }
    case "Z":
      return str(tm.zone, "lower");
    case "%":
      return str("%");
    default:
      return undefined;
  }
}
