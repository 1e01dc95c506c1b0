/**
 * Our dummy-ups under Debian's upsd 2.8.0, read with Debian's clients: every
 * answer must be what Debian's own dummy-ups gives for the same file, in
 * simulation and in repeater mode.
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  freePort,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  Proc,
  run,
  waitFor,
} from "../../helpers/nut.ts";
import { deviceFixtures } from "./fixtures.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
const PW = "s3cret";

Deno.test({
  name:
    "our dummy-ups under Debian's upsd: upsc/upsrw/upscmd output identical to Debian's dummy-ups",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dir = await makeNutDir("dummy-upsd-");
    const port = freePort();
    const host = `127.0.0.1:${port}`;
    const env = { ...dir.env, PATH };
    const procs: Proc[] = [];
    const files = deviceFixtures(3);
    try {
      let conf = "";
      for (const f of files) {
        dir.write(`${f.name}.dev`, f.text);
        for (const impl of ["deb", "our"]) {
          conf +=
            `[${impl}_${f.name}]\n\tdriver = dummy-ups\n\tport = ${f.name}.dev\n\tdesc = "${f.name}"\n`;
        }
      }
      for (const impl of ["deb", "our"]) {
        conf += `[${impl}_rep]\n\tdriver = dummy-ups\n\tport = deb_sample@${host}\n`;
      }
      dir.write("ups.conf", conf);
      dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n`);
      dir.write(
        "upsd.users",
        `[admin]\n\tpassword = ${PW}\n\tactions = SET\n\tinstcmds = ALL\n`,
        0o640,
      );
      for (const f of files) {
        procs.push(new Proc(DEBIAN.dummyUps, ["-a", `deb_${f.name}`, "-F", "-u", "root"], env));
        procs.push(new Proc(`${BIN}/dummy-ups`, ["-a", `our_${f.name}`, "-F"], env));
      }
      procs.push(new Proc(DEBIAN.upsd, ["-F", "-u", "root"], env));
      const upsc = (ups: string, ...rest: string[]) =>
        run(DEBIAN.upsc, [`${ups}@${host}`, ...rest], { PATH });
      const served = async (ups: string) => {
        const r = await upsc(ups, "ups.status");
        return r.code === 0 && r.stdout.trim() !== "" && r.stdout.trim() !== "WAIT";
      };
      for (const f of files) {
        for (const impl of ["deb", "our"]) {
          await waitFor(() => served(`${impl}_${f.name}`), 15000, `${impl}_${f.name} served`, 200);
        }
      }
      // repeaters need their upstream served first (strict start, as NUT 2.8.0)
      procs.push(new Proc(DEBIAN.dummyUps, ["-a", "deb_rep", "-F", "-u", "root"], env));
      procs.push(new Proc(`${BIN}/dummy-ups`, ["-a", "our_rep", "-F"], env));
      for (const ups of ["deb_rep", "our_rep"]) {
        await waitFor(() => served(ups), 15000, `${ups} served`, 200);
      }

      await t.step("upsc, upsrw, upscmd -l", async () => {
        for (const name of [...files.map((f) => f.name), "rep"]) {
          for (const tool of [[DEBIAN.upsc], [DEBIAN.upsrw], [DEBIAN.upscmd, "-l"]]) {
            const [cmd, ...opts] = tool;
            const want = await run(cmd, [...opts, `deb_${name}@${host}`], { PATH });
            const got = await run(cmd, [...opts, `our_${name}@${host}`], { PATH });
            const norm = (s: string) => s.replaceAll(`our_${name}`, `deb_${name}`);
            assertEquals(
              { code: got.code, out: norm(got.stdout), err: norm(got.stderr) },
              { code: want.code, out: want.stdout, err: want.stderr },
              `${cmd} ${name}`,
            );
            if (cmd === DEBIAN.upsc) assert(want.stdout.split("\n").length > 10, want.stdout);
          }
        }
      });

      await t.step("upsrw -s and upscmd through upsd (TRACKING) answer the same", async () => {
        const ops = [
          [DEBIAN.upsrw, "-s", "ups.id=zz", "-u", "admin", "-p", PW, "-w"],
          [DEBIAN.upsrw, "-s", "battery.charge=42", "-u", "admin", "-p", PW],
          [DEBIAN.upsrw, "-s", `ups.id=${"x".repeat(20)}`, "-u", "admin", "-p", PW],
          [DEBIAN.upscmd, "-u", "admin", "-p", PW, "-w"],
          [DEBIAN.upscmd, "-u", "admin", "-p", PW],
        ];
        for (const [cmd, ...opts] of ops) {
          const tail = cmd === DEBIAN.upscmd ? ["load.off"] : [];
          const want = await run(cmd, [...opts, `deb_sample@${host}`, ...tail], { PATH });
          const got = await run(cmd, [...opts, `our_sample@${host}`, ...tail], { PATH });
          assertEquals(
            { code: got.code, out: got.stdout, err: got.stderr },
            { code: want.code, out: want.stdout, err: want.stderr },
            `${cmd} ${opts.join(" ")}`,
          );
        }
        for (const impl of ["deb", "our"]) {
          await waitFor(
            async () => (await upsc(`${impl}_sample`, "ups.id")).stdout.trim() === "zz",
            5000,
            `${impl}: SET applied`,
          );
          assertEquals((await upsc(`${impl}_sample`, "battery.charge")).stdout.trim(), "42");
        }
      });
    } finally {
      for (const p of procs.reverse()) await p.stop();
      await dir.cleanup();
    }
  },
});

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
