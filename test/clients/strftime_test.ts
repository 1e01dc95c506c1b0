import { localTm, strftime, type Tm } from "../../lib/clients/strftime.ts";
import { assertEquals } from "../helpers/assert.ts";

/** Broken-down UTC time, so results do not depend on the machine's zone. */
function utc(epoch: number): Tm {
  const d = new Date(epoch * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    mon: d.getUTCMonth(),
    mday: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    wday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86400000),
    epoch,
    gmtoffMin: 0,
    zone: "UTC",
  };
}

// Expected strings produced by glibc's strftime in the C locale (TZ=UTC).
const CASES: Array<[number, string, string]> = [
  [1795253613, "%Y%m%d %H%M%S", "20261121 093333"],
  [1795253613, "%c", "Sat Nov 21 09:33:33 2026"],
  [
    1795253613,
    "%x|%X|%D|%F|%T|%R|%r",
    "11/21/26|09:33:33|11/21/26|2026-11-21|09:33:33|09:33|09:33:33 AM",
  ],
  [1795253613, "%e|%k|%l|%p|%P|%I", "21| 9| 9|AM|am|09"],
  [1795253613, "%j|%U|%W|%V|%G|%g|%u|%w", "325|46|46|47|2026|26|6|6"],
  [1795253613, "%a %A %b %B %h %C %y", "Sat Saturday Nov November Nov 20 26"],
  [1795253613, "%z %Z %s %%", "+0000 UTC 1795253613 %"],
  [
    1795253613,
    "%-d|%_d|%05d|%^a|%10Y|%-H|%_H|%Ey|%Od|%#p",
    "21|21|00021|SAT|0000002026|9| 9|26|21|am",
  ],
  [1795253613, "%Q|%+|abc%", "%Q|%+|abc%"],
  // ISO weeks around the new year
  [1609459199, "%G-W%V-%u %U %W %j", "2020-W53-4 52 52 366"], // 2020-12-31
  [1609459200, "%G-W%V-%u %U %W %j", "2020-W53-5 00 00 001"], // 2021-01-01
  [1230768000, "%G-W%V-%u", "2009-W01-4"], // 2009-01-01
  [1262304000, "%G-W%V-%u", "2009-W53-5"], // 2010-01-01
  [0, "%c", "Thu Jan  1 00:00:00 1970"],
];

Deno.test("strftime: glibc C-locale output", () => {
  for (const [t, f, want] of CASES) assertEquals(strftime(f, utc(t)), want, `${f} at ${t}`);
});

Deno.test("localTm: local broken-down time agrees with Date", () => {
  const d = new Date(2026, 1, 28, 23, 59, 58);
  const tm = localTm(d);
  assertEquals([tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, tm.yday], [
    2026,
    1,
    28,
    23,
    59,
    58,
    58,
  ]);
  assertEquals(strftime("%Y-%m-%d %H:%M:%S", tm), "2026-02-28 23:59:58");
});
