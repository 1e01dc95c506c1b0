/**
 * bin/nutdrv_qx and bin/blazer_ser grant the narrowest permissions: the
 * config dir, the state/PID dirs, the device (and its symlink target),
 * their own socket, libc for FFI; and a probe run with exactly those flags
 * cannot open TCP sockets, read other files, write the config, listen on
 * another socket or run programs — while it can use the pty and libc.
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import { BIN, makeNutDir, ROOT, run } from "../../helpers/nut.ts";
import { Pty } from "../../../lib/transport/pty.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
const opts = { sanitizeResources: false, sanitizeOps: false };

async function perms(
  prog: string,
  env: Record<string, string>,
  args: string[],
): Promise<string[]> {
  const r = await run(`${BIN}/${prog}`, args, { ...env, PATH, NUT_PRINT_PERMS: "1" });
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

Deno.test({
  name: "serial driver launchers: exactly the device, config, state, own socket and libc",
  ...opts,
  async fn() {
    const dir = await makeNutDir("qx-perms-");
    const pty = Pty.open();
    try {
      const link = `${dir.root}/usb-ACME-if00`;
      Deno.symlinkSync(pty.slavePath, link);
      dir.write(
        "ups.conf",
        `[a]\n\tdriver = nutdrv_qx\n\tport = "${link}" # by-id\n` +
          "[b]\n\tdriver = blazer_ser\n\tport = /dev/ttyS3\n" +
          "[c]\n\tdriver = genericups\n\tport = /dev/ttyS1\n\tupstype = 7\n" +
          "[d]\n\tdriver = apcsmart\n\tport = /dev/ttyS2\n",
      );
      const libc = "/test/libc.so.6";
      const env = { ...dir.env, NUT_LIBC: libc };
      for (
        const [prog, ups, dev] of [["nutdrv_qx", "a", `${link},${pty.slavePath}`], [
          "blazer_ser",
          "b",
          "/dev/ttyS3",
        ]]
      ) {
        assertEquals(await perms(prog, env, ["-a", ups, "-F"]), [
          `cmd/${prog}/main.ts`,
          `--allow-read=${dir.conf},${dir.state},${dir.state},/etc/group,${dev}`,
          `--allow-write=${dir.state},${dir.state},${dev}`,
          "--allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_READY_FIFO,NUT_LIBC",
          `--allow-ffi=${libc}`,
          `--allow-net=unix:${dir.state}/${prog}-${ups}`,
        ]);
      }
      // -x port wins over the file; -s names the socket
      const x = await perms("nutdrv_qx", env, ["-s", "cli", "-x", "port=/dev/ttyUSB7", "-F"]);
      assertEquals(
        x[1],
        `--allow-read=${dir.conf},${dir.state},${dir.state},/etc/group,/dev/ttyUSB7`,
      );
      assertEquals(x.at(-1), `--allow-net=unix:${dir.state}/nutdrv_qx-cli`);
      for (const args of [["-a", "a"], ["-a", "b"], ["-h"]]) {
        const all = (await perms("nutdrv_qx", env, args)).join(" ");
        for (const bad of ["--allow-all", "--allow-run", "--allow-sys", "-A ", "--allow-ffi "]) {
          assert(!all.includes(bad), `${args.join(" ")} grants ${bad}`);
        }
        assert(!/--allow-net=[^ ]*:\d/.test(all), "no TCP");
      }
    } finally {
      pty.close();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "serial driver sandbox: refuses TCP, other files and programs; allows its pty and libc",
  ...opts,
  async fn() {
    const dir = await makeNutDir("qx-sandbox-");
    const pty = Pty.open();
    try {
      dir.write("ups.conf", `[sb]\n\tdriver = nutdrv_qx\n\tport = ${pty.slavePath}\n`);
      const [, ...flags] = await perms("nutdrv_qx", dir.env, ["-a", "sb"]);
      const serial = new URL("../../../lib/transport/serial.ts", import.meta.url).href;
      const probe = dir.write(
        `${dir.root}/probe.ts`,
        `import { openSerial } from "${serial}";
        const tries: Array<[string, () => unknown]> = [
          ["tcp listen", () => Deno.listen({ port: 0 })],
          ["tcp connect", () => Deno.connect({ hostname: "127.0.0.1", port: 9 })],
          ["read /etc/passwd", () => Deno.readTextFileSync("/etc/passwd")],
          ["read ${dir.root}", () => [...Deno.readDirSync("${dir.root}")]],
          ["read /dev/tty", () => Deno.statSync("/dev/ttyS0")],
          ["write conf", () => Deno.writeTextFileSync("${dir.conf}/x", "x")],
          ["other socket", () => Deno.listen({ transport: "unix", path: "${dir.state}/other" })],
          ["run", () => new Deno.Command("true").outputSync()],
          ["env HOME", () => Deno.env.get("HOME")],
          ["other library", () => Deno.dlopen("/lib/x86_64-linux-gnu/libm.so.6", {})],
        ];
        for (const [what, fn] of tries) {
          try { await fn(); console.log(what + ": allowed"); }
          catch (e) { console.log(what + ": " + (e as Error).name); }
        }
        const port = openSerial(${JSON.stringify(pty.slavePath)});
        await port.write("Q1\\r");
        console.log("own pty: allowed");
        port.close();
        const l = Deno.listen({ transport: "unix", path: "${dir.state}/nutdrv_qx-sb" });
        l.close();
        console.log("own socket: allowed");
        Deno.readTextFileSync("${dir.conf}/ups.conf");
        console.log("ups.conf: allowed");
`,
      );
      const deno = `${ROOT}/node_modules/.bin/deno`;
      const libc = flags.find((f) => f.startsWith("--allow-ffi="))!.slice(12);
      const r = await run(deno, ["run", "--quiet", "--no-prompt", ...flags, probe], {
        PATH,
        NUT_LIBC: libc,
      });
      const lines = r.stdout.trim().split("\n");
      const expected = [
        "tcp listen: NotCapable",
        "tcp connect: NotCapable",
        "read /etc/passwd: NotCapable",
        `read ${dir.root}: NotCapable`,
        "read /dev/tty: NotCapable",
        "write conf: NotCapable",
        "other socket: NotCapable",
        "run: NotCapable",
        "env HOME: NotCapable",
      ];
      assertEquals(lines.slice(0, expected.length), expected, r.stderr);
      // another library: refused by the sandbox (or absent on this system)
      assert(
        /^other library: (NotCapable|Error)$/.test(lines[expected.length]),
        lines[expected.length],
      );
      assertEquals(lines.slice(expected.length + 1), [
        "own pty: allowed",
        "own socket: allowed",
        "ups.conf: allowed",
      ], r.stderr);
      assertEquals(await pty.master.readLine(1000), { text: "Q1\r", complete: true });
    } finally {
      pty.close();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "genericups through its launcher: a pty has no modem lines, said clearly (exit 1)",
  ...opts,
  async fn() {
    const dir = await makeNutDir("gu-pty-");
    const pty = Pty.open();
    try {
      dir.write(
        "ups.conf",
        `[g]\n\tdriver = genericups\n\tport = ${pty.slavePath}\n\tupstype = 7\n`,
      );
      const r = await run(`${BIN}/genericups`, ["-a", "g", "-F"], { ...dir.env, PATH });
      assertEquals(r.code, 1, r.stderr);
      assert(r.stderr.includes("UPS type: CyberPower Power99"), r.stderr);
      assert(r.stderr.includes("has no modem control lines"), r.stderr);
      const none = await run(
        `${BIN}/genericups`,
        ["-s", "x", "-x", `port=${pty.slavePath}`, "-F"],
        {
          ...dir.env,
          PATH,
        },
      );
      assertEquals(none.code, 1);
      assert(none.stderr.includes("No upstype set"), none.stderr);
    } finally {
      pty.close();
      await dir.cleanup();
    }
  },
});
