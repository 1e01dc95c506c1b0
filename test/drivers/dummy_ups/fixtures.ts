/**
 * Device files for dummy-ups integration tests: a hand-made sample and, when
 * ../shared/fixtures is present, real DDL dumps free of the inputs where we
 * deliberately differ from NUT 2.8.0 (empty values, `name:value` without a
 * space, backslashes that 2.8.0 double-escapes in device.*).
 *
 * @module
 */

import { FIXTURES, haveFixtures } from "../../helpers/nut.ts";

export interface DevFixture {
  name: string;
  text: string;
}

/** A unit with numbers, strings, unknown names, multi-word and quoted values. */
export const SAMPLE_DEV = `# sample device for dummy-ups tests
ups.mfr: Sample Mfr
ups.model: Sample 1500
ups.serial: SN-0001
ups.id: myid
ups.status: OL CHRG
battery.charge: 100
battery.charge.low: 10
battery.runtime: 1870
input.voltage: 230.0
input.sensitivity: M
input.quality: good
ambient.temperature: 25
multi: a   b    "c  d"
outlet.1.status: on
x.unknown.var: 7
driver.parameter.port: /dev/ignored
driver.name: ignored
`;

/** True if every non-comment line is `name: value` with a non-empty, plain value. */
export function quirkFree(text: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    if (!/^[A-Za-z0-9_.]+: \S/.test(line)) return false;
    if (/[\\"]/.test(line) || /[^\x20-\x7e]/.test(line.split("#")[0])) return false;
    if (/^(TIMER|ALARM)\b/.test(line)) return false;
  }
  return true;
}

/** The sample plus up to `n` quirk-free DDL dumps (none when fixtures are absent). */
export function deviceFixtures(n = 3): DevFixture[] {
  const out: DevFixture[] = [{ name: "sample", text: SAMPLE_DEV }];
  if (!haveFixtures) {
    console.log(`fixtures absent (${FIXTURES}/ddl): using the built-in sample device only`);
    return out;
  }
  const files: string[] = [];
  for (const vendor of [...Deno.readDirSync(`${FIXTURES}/ddl`)].map((e) => e.name).sort()) {
    const dir = `${FIXTURES}/ddl/${vendor}`;
    if (!Deno.statSync(dir).isDirectory) continue;
    for (const f of [...Deno.readDirSync(dir)].map((e) => e.name).sort()) {
      if (f.endsWith(".dev")) files.push(`${dir}/${f}`);
    }
  }
  // spread the picks over vendors/drivers rather than taking the first ones
  const usable = files.filter((f) => quirkFree(Deno.readTextFileSync(f)));
  const step = Math.max(1, Math.floor(usable.length / n));
  for (let i = 0; i < usable.length && out.length <= n; i += step) {
    out.push({ name: `ddl${out.length}`, text: Deno.readTextFileSync(usable[i]) });
  }
  return out;
}
