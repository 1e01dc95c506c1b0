/**
 * Golden comparison of our upsc, upscmd and upsrw with Debian's 2.8.0 tools:
 * same arguments, same stdin, against the same Debian upsd + dummy-ups (and a
 * scripted server for ENUM/RANGE types dummy-ups cannot make). stdout, stderr
 * (without Debian's NSS notice) and the exit code must be identical.
 */

import { assertEquals } from "../helpers/assert.ts";
import { scriptedUpsd, startFakeUpsd } from "../helpers/fake_upsd.ts";
import {
  BIN,
  DEBIAN,
  FIXTURES,
  freePort,
  haveDebianNut,
  haveFixtures,
  NO_DEBIAN_NUT,
  run,
} from "../helpers/nut.ts";
import { type NutStack, type StackDevice, startNutStack } from "../helpers/nut_stack.ts";
import { TYPED_LISTING, TYPED_UPS } from "./typed_fixture.ts";

/** Our own devices: quoting edge cases, a battery-low UPS, and one without a driver. */
const OWN_DEVICES: StackDevice[] = [
  {
    name: "quirky",
    desc: 'Quirky \\"test\\" UPS',
    dev: [
      "ups.status: OL CHRG",
      "battery.charge: 87",
      'ups.firmware: "with \\"quotes\\" inside"',
      "ups.firmware.aux: back\\\\slash",
      'battery.type: "hash \\# inside"',
      'battery.mfr.date: "two  spaces"',
      // a '#' inside quotes makes dummy-ups invent a variable named `3"`
      'device.location: "Server room \\"A\\", rack #3"',
      "ups.mfr: Multi   word   value",
      "ups.serial: tab\tinside",
      "input.voltage: 229.5",
      "",
    ].join("\n"),
  },
  {
    name: "lowbatt",
    desc: "On battery",
    dev: "ups.status: OB LB\nbattery.charge: 5\nbattery.runtime: 60\nups.load: 0\n",
  },
  { name: "down", desc: "No driver", start: false },
];

const DDL = [
  "APC/APC__Back-UPS_ES_850G2__usbhid-ups__2.8.0__01.dev",
  "Eaton/Eaton__5PX_2000__usbhid-ups__2.7.4__01.dev",
  "FSP/FSP__Fortron_UPS_Champ_1000VA_Tower__nutdrv_qx__2.8.0__01.dev",
];

function devices(): StackDevice[] {
  const list = [...OWN_DEVICES];
  if (haveFixtures) {
    DDL.forEach((f, i) =>
      list.push({
        name: `ddl${i + 1}`,
        desc: f.split("/")[1],
        dev: Deno.readTextFileSync(`${FIXTURES}/ddl/${f}`),
      })
    );
  } else {
    console.log(`fixtures absent (${FIXTURES}/ddl): golden tests use our own devices only`);
  }
  return list;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const TOOLS: Record<string, string> = {
  upsc: DEBIAN.upsc,
  upscmd: DEBIAN.upscmd,
  upsrw: DEBIAN.upsrw,
};

function normalize(r: Outcome): Outcome {
  const stderr = r.stderr.split("\n").filter((l) => l !== "Init SSL without certificate database")
    .join("\n").replaceAll(`${BIN}/`, "/bin/");
  return { code: r.code, stdout: r.stdout, stderr };
}

async function both(tool: string, args: string[], stdin?: string): Promise<[Outcome, Outcome]> {
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const theirs = normalize(await run(TOOLS[tool], args, env, stdin));
  const ours = normalize(await run(`${BIN}/${tool}`, args, env, stdin));
  return [theirs, ours];
}

async function same(tool: string, args: string[], stdin?: string): Promise<Outcome> {
  const [theirs, ours] = await both(tool, args, stdin);
  assertEquals(
    ours,
    theirs,
    `${tool} ${JSON.stringify(args)}${
      stdin === undefined ? "" : ` <<< ${JSON.stringify(stdin)}`
    }:\n` +
      `Debian: ${JSON.stringify(theirs)}\nours:   ${JSON.stringify(ours)}`,
  );
  return ours;
}

/** Keep `n` upsmon-style sessions logged in to `ups`, for `upsc -c`. */
async function loginSessions(port: number, ups: string, n: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < n; i++) {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    await c.write(new TextEncoder().encode(`USERNAME mon\nPASSWORD monpw\nLOGIN ${ups}\n`));
    const buf = new Uint8Array(256);
    let got = "";
    while ((got.match(/\n/g) ?? []).length < 3) {
      const k = await c.read(buf);
      if (k === null) break;
      got += new TextDecoder().decode(buf.subarray(0, k));
    }
    assertEquals(got, "OK\nOK\nOK\n", "LOGIN session");
    conns.push(c);
  }
  return conns;
}

Deno.test({
  name: "upsc/upscmd/upsrw match Debian's 2.8.0 tools against Debian's upsd",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const devs = devices();
    const s: NutStack = await startNutStack({ devices: devs });
    const H = s.addr;
    const refused = `127.0.0.1:${freePort()}`;
    const sessions = await loginSessions(s.port, "quirky", 2);
    try {
      await t.step("upsc: every device, listings, single variables", async () => {
        for (const d of devs) {
          await same("upsc", [`${d.name}@${H}`]);
          await same("upsc", [`${d.name}@${H}`, "ups.status"]);
          await same("upsc", [`${d.name}@${H}`, "battery.charge"]);
        }
        await same("upsc", ["-l", H]);
        await same("upsc", ["-L", H]);
        await same("upsc", ["-lL", H]);
        await same("upsc", ["-c", `quirky@${H}`]); // two logged-in sessions
        await same("upsc", ["-c", `lowbatt@${H}`]); // none
        await same("upsc", ["-c", `down@${H}`]); // works without a driver
        await same("upsc", [`QUIRKY@${H}`, "UPS.STATUS"]); // names are case-insensitive
        await same("upsc", [`quirky@${H}`, "ups.status", "extra", "args"]);
      });

      await t.step("upsc: errors", async () => {
        await same("upsc", [`nosuch@${H}`]);
        await same("upsc", [`nosuch@${H}`, "ups.status"]);
        await same("upsc", [`down@${H}`]);
        await same("upsc", [`down@${H}`, "ups.status"]);
        await same("upsc", [`quirky@${H}`, "no.such.var"]);
        await same("upsc", [`quirky@${H}`, "nodot"]);
        await same("upsc", [`quirky@${refused}`]);
        await same("upsc", ["-l", refused]);
        await same("upsc", []);
        await same("upsc", [""]);
        await same("upsc", ["quirky@127.0.0.1:0"]);
        await same("upsc", ["quirky@127.0.0.1:abc"]);
        await same("upsc", ["quirky@127.0.0.1:70000"]);
        await same("upsc", ["quirky@[::1"]);
        await same("upsc", ["-l", "127.0.0.1:0"]);
        await same("upsc", ["quirky@nosuchhost.invalid"]);
      });

      await t.step("upscmd: listing, commands, errors, prompts", async () => {
        for (const d of devs) await same("upscmd", ["-l", `${d.name}@${H}`]);
        await same("upscmd", ["-l", `nosuch@${H}`]);
        await same("upscmd", ["-l", `down@${H}`]);
        await same("upscmd", ["-l", `quirky@${refused}`]);
        await same("upscmd", []);
        await same("upscmd", ["-h"]);
        await same("upscmd", ["-V"]);
        await same("upscmd", ["-x"]);
        await same("upscmd", ["-u"]);
        await same("upscmd", [`quirky@${H}`]); // needs a command: usage after connecting
        await same("upscmd", ["-t", "abc", `quirky@${H}`, "load.off"]);
        await same("upscmd", ["-t", "99999999999", `quirky@${H}`, "load.off"]);
        await same("upscmd", ["quirky@127.0.0.1:0", "load.off"]);
        const auth = ["-u", "admin", "-p", "adminpw"];
        await same("upscmd", [...auth, `quirky@${H}`, "load.off"]);
        await same("upscmd", [...auth, `quirky@${H}`, "load.off", "10"]);
        await same("upscmd", [...auth, "-w", `quirky@${H}`, "load.off"]);
        await same("upscmd", [...auth, "-w", "-t", "5", `quirky@${H}`, "load.off"]);
        await same("upscmd", ["-u", "admin", "-p", "wrong", `quirky@${H}`, "load.off"]);
        await same("upscmd", ["-u", "nobody", "-p", "x", `quirky@${H}`, "load.off"]);
        await same("upscmd", ["-u", "mon", "-p", "monpw", `quirky@${H}`, "load.off"]);
        await same("upscmd", [...auth, `quirky@${H}`, "no.such.cmd"]);
        await same("upscmd", [...auth, `quirky@${H}`, "nodot"]);
        await same("upscmd", [...auth, `nosuch@${H}`, "load.off"]);
        await same("upscmd", [...auth, `down@${H}`, "load.off"]);
        await same("upscmd", [...auth, `quirky@${refused}`, "load.off"]);
        await same("upscmd", ["-u", "admin", "-p", "", `quirky@${H}`, "load.off"]);
        // prompts: Username on stdout, Password on stderr (no terminal here)
        await same("upscmd", [`quirky@${H}`, "load.off"], "admin\nadminpw\n");
        await same("upscmd", [`quirky@${H}`, "load.off"], "\nadminpw\n");
        await same("upscmd", ["-u", "admin", `quirky@${H}`, "load.off"], "adminpw\n");
        await same("upscmd", ["-p", "adminpw", `quirky@${H}`, "load.off"], "admin\n");
        await same("upscmd", [`quirky@${H}`, "load.off"], "");
        await same("upscmd", [`quirky@${H}`, "load.off"], "admin\n");
      });

      await t.step("upsrw: listings and errors", async () => {
        for (const d of devs) await same("upsrw", [`${d.name}@${H}`]);
        await same("upsrw", ["-l", `quirky@${H}`]);
        await same("upsrw", [`nosuch@${H}`]);
        await same("upsrw", [`down@${H}`]);
        await same("upsrw", [`quirky@${refused}`]);
        await same("upsrw", []);
        await same("upsrw", ["-h"]);
        await same("upsrw", ["-V"]);
        await same("upsrw", ["-x"]);
        await same("upsrw", ["-t", "abc", `quirky@${H}`]);
        await same("upsrw", ["quirky@127.0.0.1:0"]);
        await same("upsrw", ["-s", "ups.id=1", "-l", `lowbatt@${H}`]);
      });

      await t.step("upsrw -s: set, refusals, tracking, prompts", async () => {
        const auth = ["-u", "admin", "-p", "adminpw"];
        await same("upsrw", ["-s", "ups.id=golden", ...auth, `quirky@${H}`]);
        await same("upsrw", ["-s", 'ups.id=say "hi" \\ #1', ...auth, `quirky@${H}`]);
        await same("upsrw", ["-s", "ups.id=tracked", "-w", ...auth, `quirky@${H}`]);
        await same("upsrw", ["-s", `ups.id=${"x".repeat(40)}`, ...auth, `quirky@${H}`]); // TOO-LONG
        await same("upsrw", ["-s", "ups.id=x", "-u", "admin", "-p", "wrong", `quirky@${H}`]);
        await same("upsrw", ["-s", "no.such.var=1", ...auth, `quirky@${H}`]);
        await same("upsrw", ["-s", "nodot=1", ...auth, `quirky@${H}`]);
        await same("upsrw", ["-s", "ups.id=x", ...auth, `nosuch@${H}`]);
        await same("upsrw", ["-s", "ups.id=x", ...auth, `down@${H}`]);
        await same("upsrw", ["-s", "ups.id", ...auth, `quirky@${H}`], "typed value\n");
        await same("upsrw", ["-s", "ups.id", `quirky@${H}`], "admin\nadminpw\nprompted\n");
        await same("upsrw", ["-s", "ups.id=y", `quirky@${H}`], "\nadminpw\n");
        await same("upsrw", ["-s", "ups.id=y", `quirky@${H}`], "");
        // the values written above are visible to both
        await same("upsc", [`quirky@${H}`, "ups.id"]);
        await same("upsrw", [`quirky@${H}`]);
      });
    } finally {
      for (const c of sessions) c.close();
      await s.stop();
    }
  },
});

/** Run a command on a pseudo-terminal, typing `input` lines one by one; returns what the terminal showed. */
const PTY_SCRIPT = `
import os, pty, select, sys, time, json
cmd, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b""
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
pump(1.0)
for l in lines:
    os.write(fd, l.encode() + b"\\n")
    pump(0.7)
pump(1.0)
_, st = os.waitpid(pid, 0)
sys.stdout.write(json.dumps([os.waitstatus_to_exitcode(st), out.decode()]))
`;

async function onTerminal(cmd: string[], lines: string[]): Promise<[number, string]> {
  const r = await run("python3", ["-c", PTY_SCRIPT, JSON.stringify(cmd), JSON.stringify(lines)]);
  if (r.code !== 0) throw new Error(`pty helper failed: ${r.stderr}`);
  const [code, shown] = JSON.parse(r.stdout) as [number, string];
  return [
    code,
    shown.split("\r\n").filter((l) => l !== "Init SSL without certificate database").join("\r\n"),
  ];
}

Deno.test({
  name: "upscmd/upsrw prompts on a terminal: the password is not echoed (same screen as Debian's)",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startNutStack({ devices: OWN_DEVICES.slice(0, 1) });
    try {
      const cases: Array<[string, string[], string[]]> = [
        ["upscmd", [`quirky@${s.addr}`, "load.off"], ["admin", "adminpw"]],
        ["upsrw", ["-s", "ups.id", `quirky@${s.addr}`], ["admin", "adminpw", "typed"]],
      ];
      for (const [tool, args, input] of cases) {
        const theirs = await onTerminal([TOOLS[tool], ...args], input);
        const ours = await onTerminal([`${BIN}/${tool}`, ...args], input);
        assertEquals(ours, theirs, tool);
        assertEquals(ours[1].includes("adminpw"), false, "password echoed");
      }
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "upsrw ENUM/RANGE/STRING/unknown type blocks match Debian's upsrw (scripted server)",
  ignore: !haveDebianNut,
  async fn() {
    const srv = await startFakeUpsd(scriptedUpsd(TYPED_UPS));
    try {
      const out = await same("upsrw", [`fake@127.0.0.1:${srv.port}`]);
      assertEquals(out.stdout, TYPED_LISTING);
      await same("upscmd", ["-l", `fake@127.0.0.1:${srv.port}`]);
    } finally {
      await srv.close();
    }
  },
});

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
