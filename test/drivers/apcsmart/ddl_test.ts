/**
 * Conformance with real APC units' NUT dumps: a simulated unit carrying a
 * dump's readings, commands and choices; our apcsmart must publish the
 * same variables and values, the same settable choices and the same
 * instant commands. Skipped with a message when the fixtures are absent.
 */

import { assertEquals } from "../../helpers/assert.ts";
import { ApcSmart } from "../../../lib/drivers/apcsmart/driver.ts";
import { ApcDevice } from "../../../lib/sim/apc_device.ts";
import { FakeSerialPort } from "../../../lib/transport/fake_serial.ts";
import { DDL, haveFile, testContext } from "../nutdrv_qx/helpers.ts";
import { APC_UNITS } from "./units.ts";

function readDump(path: string) {
  const vars = new Map<string, string>();
  const enums = new Map<string, string[]>();
  const strings: string[] = [];
  const cmds: string[] = [];
  for (const line of Deno.readTextFileSync(path).split("\n")) {
    let m = /^#RW:([^:]+):ENUM:"(.*)"$/.exec(line);
    if (m) enums.set(m[1], [...(enums.get(m[1]) ?? []), m[2]]);
    m = /^#RW:([^:]+):STRING/.exec(line);
    if (m) strings.push(m[1]);
    m = /^#CMD:(\S+)/.exec(line);
    if (m) cmds.push(m[1]);
    if (line.startsWith("#")) continue;
    m = /^([a-z0-9_.]+): ?(.*)$/.exec(line);
    if (m) vars.set(m[1], m[2]);
  }
  return { vars, enums, strings, cmds };
}

for (const unit of APC_UNITS) {
  const path = `${DDL}/${unit.file}`;
  Deno.test({
    name: `ddl: ${
      unit.file.split("/")[1].replace(/__\d.*$/, "")
    } via apcsmart: same variables, values, choices, commands`,
    ignore: !haveFile(path),
    async fn() {
      const want = readDump(path);
      const dev = new ApcDevice(unit.device);
      const t = testContext();
      const drv = new ApcSmart(t.ctx, {
        open: () =>
          new FakeSerialPort("/dev/ttyS0", (w, p) => {
            const r = dev.receive(w);
            if (r) queueMicrotask(() => p.feed(r));
          }),
        timeoutMs: 50,
      });
      await drv.initups();
      await drv.initinfo();
      await drv.updateinfo();
      t.state.setInfo("device.type", "ups");
      for (const item of ["mfr", "model", "serial"]) {
        const v = t.state.getInfo(`ups.${item}`);
        if (v !== undefined) t.state.setInfo(`device.${item}`, v);
      }
      const got = t.dump();
      const wantNames = [...want.vars.keys()].filter((n) =>
        !n.startsWith("driver.") && !(n in (unit.notOurs ?? {}))
      );
      const hasDevice = wantNames.some((n) => n.startsWith("device."));
      const gotNames = Object.keys(got).filter((n) => hasDevice || !n.startsWith("device."));
      assertEquals(gotNames.sort(), wantNames.sort(), "variable names");
      for (const n of wantNames) assertEquals(got[n], want.vars.get(n), n);
      for (const [name, values] of want.enums) {
        assertEquals(
          [...(t.state.tree.getVar(name)?.enums ?? [])].sort(),
          [...values].sort(),
          `${name} choices`,
        );
      }
      for (const name of want.strings) {
        assertEquals(t.state.tree.getVar(name)?.aux, 8, `${name} string`);
      }
      if (want.cmds.length) {
        const cmds = want.cmds.filter((c) => !(c in (unit.cmdsNotOurs ?? {})));
        assertEquals(t.state.tree.cmds(), cmds.sort(), "instant commands");
      }
    },
  });
}
