/**
 * bin/dummy-ups grants the narrowest permissions: its config, its definition
 * file, the state/PID dirs, its own socket and (repeater) its upstream only;
 * and the sandbox really refuses what was not granted.
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import { BIN, makeNutDir, ROOT, run } from "../../helpers/nut.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

async function perms(env: Record<string, string>, args: string[]): Promise<string[]> {
  const r = await run(`${BIN}/dummy-ups`, args, { ...env, PATH, NUT_PRINT_PERMS: "1" });
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

Deno.test("dummy-ups launcher: permissions per mode", async () => {
  const dir = await makeNutDir("dummy-perms-");
  try {
    dir.write(
      "ups.conf",
      '[sim]\n\tdriver = dummy-ups\n\tport = "sim.dev" # comment\n' +
        "[abs]\n\tdriver = dummy-ups\n\tport = /srv/sim/a.seq\n" +
        "[rep]\n\tdriver = dummy-ups\n\tport = src@upstream.example:3500\n" +
        "[rep2]\n\tdriver = dummy-ups\n\tport = src@10.0.0.1\n",
    );
    const common = (extraRead: string, net: string) => [
      "cmd/dummy-ups/main.ts",
      `--allow-read=${dir.conf},${dir.state},${dir.state},/etc/group${extraRead}`,
      `--allow-write=${dir.state},${dir.state}`,
      "--allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_READY_FIFO,NUT_DEFAULT_CONNECT_TIMEOUT",
      `--allow-net=${net}`,
    ];
    const sock = (ups: string) => `unix:${dir.state}/dummy-ups-${ups}`;
    assertEquals(
      await perms(dir.env, ["-a", "sim", "-F"]),
      common(`,${dir.conf}/sim.dev`, sock("sim")),
    );
    assertEquals(await perms(dir.env, ["-a", "abs"]), common(",/srv/sim/a.seq", sock("abs")));
    assertEquals(
      await perms(dir.env, ["-a", "rep"]),
      common("", `${sock("rep")},upstream.example:3500`),
    );
    assertEquals(await perms(dir.env, ["-a", "rep2"]), common("", `${sock("rep2")},10.0.0.1:3493`));
    // -x port wins over the file; -s names the socket
    assertEquals(
      await perms(dir.env, ["-s", "cli", "-x", "port=/x/y.dev", "-F"]),
      common(",/x/y.dev", sock("cli")),
    );
    for (const args of [["-a", "sim"], ["-a", "rep"], ["-h"]]) {
      const all = (await perms(dir.env, args)).join(" ");
      for (const bad of ["--allow-all", "--allow-run", "--allow-ffi", "--allow-sys", "-A "]) {
        assert(!all.includes(bad), `${args.join(" ")} grants ${bad}`);
      }
    }
  } finally {
    await dir.cleanup();
  }
});

Deno.test("dummy-ups launcher: the sandbox refuses what was not granted", async () => {
  const dir = await makeNutDir("dummy-sandbox-");
  try {
    dir.write("ups.conf", "[sb]\n\tdriver = dummy-ups\n\tport = sb.dev\n");
    const [, ...flags] = await perms(dir.env, ["-a", "sb"]);
    // a probe run with exactly the driver's permissions
    const probe = dir.write(
      `${dir.root}/probe.ts`,
      `const tries: Array<[string, () => unknown]> = [
        ["read /etc/passwd", () => Deno.readTextFileSync("/etc/passwd")],
        ["read ${dir.root}", () => [...Deno.readDirSync("${dir.root}")]],
        ["write conf", () => Deno.writeTextFileSync("${dir.conf}/x", "x")],
        ["tcp", () => Deno.listen({ port: 0 })],
        ["other socket", () => Deno.listen({ transport: "unix", path: "${dir.state}/other" })],
        ["run", () => new Deno.Command("true").outputSync()],
        ["env HOME", () => Deno.env.get("HOME")],
      ];
      for (const [what, fn] of tries) {
        try { fn(); console.log(what + ": allowed"); } catch (e) { console.log(what + ": " + (e as Error).name); }
      }
      const l = Deno.listen({ transport: "unix", path: "${dir.state}/dummy-ups-sb" });
      l.close();
      console.log("own socket: allowed");
      Deno.readTextFileSync("${dir.conf}/ups.conf");
      console.log("ups.conf: allowed");
`,
    );
    const deno = `${ROOT}/node_modules/.bin/deno`;
    const r = await run(deno, ["run", "--quiet", "--no-prompt", ...flags, probe], { PATH });
    assertEquals(r.stdout.trim().split("\n"), [
      "read /etc/passwd: NotCapable",
      `read ${dir.root}: NotCapable`,
      "write conf: NotCapable",
      "tcp: NotCapable",
      "other socket: NotCapable",
      "run: NotCapable",
      "env HOME: NotCapable",
      "own socket: allowed",
      "ups.conf: allowed",
    ], r.stderr);
  } finally {
    await dir.cleanup();
  }
});
