/**
 * Golden interop matrix against Debian's NUT 2.8.0.
 *
 * The reference is Debian's whole stack (dummy-ups → upsd → clients). The same
 * .dev files are then served by every mix of implementations — ours/ours,
 * Debian's driver under our upsd, our driver under Debian's upsd — and read
 * with Debian's clients, our clients and PyNUT. stdout, stderr and exit codes
 * must be identical to the reference.
 */

import { assertEquals } from "../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  FIXTURES,
  haveDebianNut,
  haveFixtures,
  NO_DEBIAN_NUT,
  ROOT,
  run,
} from "../helpers/nut.ts";
import { type NutStack, startNutStack } from "../helpers/nut_stack.ts";

type Impl = "debian" | "ours";

/** Device files: ours, plus a varied selection of real dumps when fixtures are present. */
function deviceFiles(): Array<{ name: string; path: string }> {
  const files = [{ name: "demo", path: `${ROOT}/share/demo-ups.dev` }];
  const ddl = [
    "APC/APC__Back-UPS_ES_850G2__usbhid-ups__2.8.0__01.dev",
    "Eaton/Eaton__5PX_2000__usbhid-ups__2.7.4__01.dev",
    "Cyber_Power_Systems__CP1500AVRLCDa__usbhid-ups__2.7.4__01.dev",
    "FSP/FSP__Fortron_UPS_Champ_1000VA_Tower__nutdrv_qx__2.8.0__01.dev",
    "APC/APC__Smart-UPS_3000_RM__apcsmart__2.6.5__01.dev",
  ].map((f) => f.includes("/") ? f : `Cyber_Power_Systems/${f}`);
  if (haveFixtures) {
    ddl.forEach((f, i) => files.push({ name: `ddl${i + 1}`, path: `${FIXTURES}/ddl/${f}` }));
  } else {
    console.log(`fixtures absent (${FIXTURES}): matrix uses the demo device only`);
  }
  return files;
}

const ADMIN_PW = "s3cret";
const USERS = `[admin]\n\tpassword = ${ADMIN_PW}\n\tactions = SET\n\tinstcmds = ALL\n` +
  `[mon]\n\tpassword = pw\n\tupsmon primary\n`;

async function startStack(driver: Impl, upsd: Impl): Promise<NutStack> {
  const devices = await Promise.all(
    deviceFiles().map(async (d) => ({
      name: d.name,
      dev: await Deno.readTextFile(d.path),
      desc: `Device ${d.name}`,
    })),
  );
  // Our upsd reads descriptions from Debian's cmdvartab here, so GET DESC can be compared.
  return await startNutStack({
    devices,
    users: USERS,
    upsdConf: "DATAPATH /usr/share/nut\n",
    driver,
    upsd,
  });
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Client invocations compared across stacks; `@H` is replaced by 127.0.0.1:port. */
function clientCases(): string[][] {
  const cases: string[][] = [
    ["upsc", "-l", "H"],
    ["upsc", "-L", "H"],
    ["upsc", "nosuch@H"],
    ["upsc", "nosuch@H", "ups.status"],
    ["upsc", "demo@H", "nosuch.var"],
    ["upsc", "demo@H", "nodot"],
    ["upsc", "-c", "demo@H"],
    ["upscmd", "-l", "demo@H"],
    ["upscmd", "-u", "admin", "-p", "wrong", "demo@H", "load.off"],
    ["upscmd", "-u", "admin", "-p", ADMIN_PW, "demo@H", "no.such.cmd"],
    ["upscmd", "-u", "admin", "-p", ADMIN_PW, "demo@H", "load.off"],
    ["upsrw", "-s", "ups.id=x", "-u", "admin", "-p", "wrong", "demo@H"],
    ["upsrw", "-s", "ups.status=" + "X".repeat(40), "-u", "admin", "-p", ADMIN_PW, "demo@H"],
    ["upsrw", "-s", "no.such=1", "-u", "admin", "-p", ADMIN_PW, "demo@H"],
  ];
  for (const d of deviceFiles()) {
    cases.push(["upsc", `${d.name}@H`], ["upsc", `${d.name}@H`, "ups.status"], [
      "upsrw",
      `${d.name}@H`,
    ]);
  }
  return cases;
}

const DEBIAN_CLIENT: Record<string, string> = {
  upsc: DEBIAN.upsc,
  upscmd: DEBIAN.upscmd,
  upsrw: DEBIAN.upsrw,
};

async function runClient(impl: Impl, argv: string[], port: number): Promise<Outcome> {
  const [tool, ...rest] = argv;
  const args = rest.map((a) =>
    a === "H" ? `127.0.0.1:${port}` : a.replace("@H", `@127.0.0.1:${port}`)
  );
  const cmd = impl === "debian" ? DEBIAN_CLIENT[tool] : `${BIN}/${tool}`;
  const r = await run(cmd, args, { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" });
  return { code: r.code, stdout: normalize(r.stdout, port), stderr: normalize(r.stderr, port) };
}

/** Remove what legitimately differs: Debian's NSS notice, port numbers, driver versions. */
function normalize(text: string, port: number): string {
  return text
    .split("\n")
    .filter((l) => l !== "Init SSL without certificate database")
    .filter((l) => !/^driver\.version(\.internal)?: /.test(l))
    .join("\n")
    .replaceAll(`:${port}`, ":PORT");
}

async function pynut(port: number): Promise<string> {
  const script = `
import PyNUT
c = PyNUT.PyNUTClient(host="127.0.0.1", port=${port}, login="admin", password="${ADMIN_PW}")
for ups, desc in sorted(c.GetUPSList().items()):
    print(ups, desc)
    ups = ups.decode()
    for k, v in sorted(c.GetUPSVars(ups).items()):
        if not k.startswith(b"driver.version"):
            print(" ", k, v)
    print(" cmds", sorted(c.GetUPSCommands(ups).items()))
    print(" rw", sorted(c.GetRWVars(ups).items()))
print("help", c.help())
for f in (lambda: c.SetRWVar("demo", "ups.id", "x" * 40), lambda: c.RunUPSCommand("demo", "no.such"),
          lambda: c.RunUPSCommand("demo", "load.off"), lambda: c.SetRWVar("demo", "ups.beeper.status", "enabled")):
    try:
        print("ok", f())
    except Exception as e:
        print("error", e)
`;
  const r = await run("/usr/bin/python3", ["-c", script]);
  return `${r.code}\n${r.stdout}\n${r.stderr}`;
}

function diffMessage(what: string, want: Outcome, got: Outcome): string {
  return `${what} differs\n--- reference (Debian)\n${JSON.stringify(want, null, 1)}\n+++ got\n${
    JSON.stringify(got, null, 1)
  }`;
}

Deno.test({
  name: "interop matrix: every driver/upsd/client mix matches Debian's NUT 2.8.0",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const ref = await startStack("debian", "debian");
    const reference = new Map<string, Outcome>();
    let refPy = "";
    try {
      for (const c of clientCases()) {
        reference.set(c.join(" "), await runClient("debian", c, ref.port));
      }
      refPy = await pynut(ref.port);
      // The reference must be real data, or every comparison below would be vacuous.
      const demo = reference.get("upsc demo@H")!;
      assertEquals([demo.code, demo.stdout.includes("ups.status: OL\n")], [0, true]);
      assertEquals(
        reference.get("upsc demo@H nosuch.var")!.stderr,
        "Error: Variable not supported by UPS\n",
      );
      assertEquals(refPy.startsWith("0\n"), true, refPy);
      await t.step("our clients against Debian's upsd and dummy-ups", async () => {
        for (const c of clientCases()) {
          const got = await runClient("ours", c, ref.port);
          const want = reference.get(c.join(" "))!;
          assertEquals(got, want, diffMessage(c.join(" "), want, got));
        }
      });
    } finally {
      await ref.stop();
    }

    const mixes: Array<[Impl, Impl]> = [["ours", "ours"], ["debian", "ours"], ["ours", "debian"]];
    for (const [driver, upsd] of mixes) {
      await t.step(
        `Debian's clients and PyNUT: ${driver} dummy-ups under ${upsd} upsd`,
        async () => {
          const s = await startStack(driver, upsd);
          try {
            for (const c of clientCases()) {
              const got = await runClient("debian", c, s.port);
              const want = reference.get(c.join(" "))!;
              assertEquals(got, want, diffMessage(c.join(" "), want, got));
            }
            assertEquals(await pynut(s.port), refPy);
            if (driver === "ours" && upsd === "ours") {
              for (const c of clientCases()) {
                const got = await runClient("ours", c, s.port);
                const want = reference.get(c.join(" "))!;
                assertEquals(got, want, diffMessage(`ours on ours: ${c.join(" ")}`, want, got));
              }
            }
          } finally {
            await s.stop();
          }
        },
      );
    }
  },
});

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
