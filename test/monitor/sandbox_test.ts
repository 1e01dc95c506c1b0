/**
 * upsmon's privilege split, proven on running processes: the monitor (the
 * process that talks to the network) cannot start programs, write files
 * other than its PID file, or reach other hosts; the privileged part cannot
 * use the network at all. The flags are read from /proc/<pid>/cmdline of
 * the real processes and replayed on a probe script.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { BIN, freePort, makeNutDir, Proc, ROOT, run, waitFor } from "../helpers/nut.ts";
import { startFakeUpsd } from "../helpers/fake_upsd.ts";

const DENO = `${ROOT}/node_modules/.bin/deno`;

function cmdline(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
}

function statusField(pid: number, key: string): string {
  const line = Deno.readTextFileSync(`/proc/${pid}/status`).split("\n").find((l) =>
    l.startsWith(`${key}:`)
  );
  return line?.split(/\s+/)[1] ?? "";
}

function permFlags(argv: string[]): string[] {
  return argv.filter((a) => a.startsWith("--allow-") || a.startsWith("--deny-") || a === "-A");
}

/** Run a probe with exactly these permission flags; it prints one word per attempt. */
async function probe(flags: string[], code: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "upsmon-probe-" });
  try {
    const file = `${dir}/probe.ts`;
    Deno.writeTextFileSync(file, code);
    const r = await run(DENO, ["run", "--quiet", "--no-prompt", "--no-lock", ...flags, file]);
    return r.stdout.trim() + (r.stderr.trim() ? `\n${r.stderr.trim()}` : "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const PROBE = (otherPort: number) => `
const tries: Array<[string, () => unknown]> = [
  ["run", () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).spawn()],
  ["run-deno", () => new Deno.Command(${JSON.stringify(DENO)}, { args: ["--version"] }).spawn()],
  ["net", () => Deno.connect({ hostname: "127.0.0.1", port: ${otherPort} })],
  ["write", () => Deno.writeTextFileSync("/tmp/upsmon-probe-write", "x")],
  ["read", () => Deno.readTextFileSync("/etc/passwd")],
  ["ffi", () => Deno.dlopen("libc.so.6", {})],
  ["env", () => Deno.env.get("PATH")],
];
for (const [name, f] of tries) {
  try {
    const r = f();
    if (r instanceof Promise) await r.then((c) => (c as Deno.Conn).close?.());
    console.log(name + ":allowed");
  } catch (e) {
    console.log(name + ":" + ((e as Error).name === "NotCapable" ? "refused" : "error " + (e as Error).name));
  }
}
`;

Deno.test("sandbox: the launcher's flags: the privileged part has no network, few programs", async () => {
  const dir = await makeNutDir("upsmon-perms-");
  try {
    dir.write(
      "upsmon.conf",
      'MONITOR u@127.0.0.1:3493 1 m p primary\nSHUTDOWNCMD "/sbin/shutdown -h +0"\nPOWERDOWNFLAG /etc/killpower\n',
    );
    const r = await run(`${BIN}/upsmon`, [], {
      ...dir.env,
      NUT_PRINT_PERMS: "1",
      PATH: Deno.env.get("PATH")!,
    });
    const lines = r.stdout.trim().split("\n");
    assertEquals(lines[0], "cmd/upsmon/main.ts");
    const perms = lines.slice(1);
    assert(!perms.some((p) => p.startsWith("--allow-net")), perms.join(" "));
    assert(
      !perms.some((p) => p === "--allow-run" || p === "--allow-all" || p.startsWith("--allow-ffi")),
    );
    const runs = perms.find((p) => p.startsWith("--allow-run="))!.slice("--allow-run=".length)
      .split(",");
    assertEquals(runs[0], "/bin/sh");
    assert(
      runs.every((p) =>
        ["/bin/sh", `${ROOT}/node_modules/.bin/deno`].includes(p) || p.endsWith("/wall")
      ),
      runs.join(","),
    );
    assert(perms.includes("--allow-write=/etc/killpower"), perms.join(" "));
    // -c only signals: it needs the run permission (Deno.kill) but nothing else
    const c = await run(`${BIN}/upsmon`, ["-c", "stop"], {
      ...dir.env,
      NUT_PRINT_PERMS: "1",
      PATH: Deno.env.get("PATH")!,
    });
    const cperms = c.stdout.trim().split("\n").slice(1);
    assert(cperms.includes("--allow-run"));
    assert(
      !cperms.some((p) => p.startsWith("--allow-net") || p.startsWith("--allow-write")),
      cperms.join(" "),
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("sandbox: the running monitor cannot run programs; the privileged part cannot use the network", async () => {
  const srv = await startFakeUpsd((_l, w) => {
    switch (w[0]) {
      case "USERNAME":
      case "PASSWORD":
      case "LOGIN":
        return "OK";
      case "PRIMARY":
        return "OK PRIMARY-GRANTED";
      case "GET":
        return w[3] === "ups.status" ? `VAR ${w[2]} ups.status "OL"` : "ERR VAR-NOT-SUPPORTED";
      default:
        return "ERR UNKNOWN-COMMAND";
    }
  });
  const dir = await makeNutDir("upsmon-sandbox-");
  let mon: Proc | undefined;
  try {
    dir.write(
      "upsmon.conf",
      `MONITOR u@127.0.0.1:${srv.port} 1 m p primary\nSHUTDOWNCMD "touch ${dir.root}/x"\n` +
        `POWERDOWNFLAG ${dir.state}/killpower\nPOLLFREQ 1\n`,
    );
    mon = new Proc(`${BIN}/upsmon`, ["-F"], { ...dir.env, PATH: Deno.env.get("PATH")! });
    const pidFile = `${dir.state}/upsmon.pid`;
    const childPid = await waitFor(
      () => {
        try {
          return parseInt(Deno.readTextFileSync(pidFile), 10);
        } catch {
          return 0;
        }
      },
      15000,
      "PID file",
    );
    await waitFor(() => srv.lines.includes("GET VAR u ups.status"), 10000, "first poll");
    // the PID file names the monitor, a child of the privileged part
    assertEquals(Number(statusField(childPid, "PPid")), mon.pid);
    const childArgv = cmdline(childPid);
    assert(childArgv.includes("--monitor-child"), childArgv.join(" "));
    const childFlags = permFlags(childArgv);
    assertEquals(childFlags, [
      `--allow-net=127.0.0.1:${srv.port}`,
      `--allow-read=${dir.conf}/upsmon.conf,${pidFile}`,
      `--allow-write=${pidFile}`,
      "--allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_DEBUG_LEVEL,NUT_DEFAULT_CONNECT_TIMEOUT,NUT_QUIET_INIT_SSL,NUT_QUIET_INIT_BANNER",
    ]);
    if (Deno.uid() === 0) {
      // started as root: the monitor runs as RUN_AS_USER (nut), the privileged part stays root
      const nut = (await run("id", ["-u", "nut"])).stdout.trim();
      if (nut) assertEquals(statusField(childPid, "Uid"), nut);
      assertEquals(statusField(mon.pid, "Uid"), "0");
    }
    const other = freePort();
    const asMonitor = await probe(childFlags, PROBE(other));
    assertEquals(asMonitor.split("\n").slice(0, 7), [
      "run:refused",
      "run-deno:refused",
      "net:refused",
      "write:refused",
      "read:refused",
      "ffi:refused",
      "env:refused",
    ]);
    const privFlags = permFlags(cmdline(mon.pid));
    assert(!privFlags.some((f) => f.startsWith("--allow-net")), privFlags.join(" "));
    const asPriv = await probe(privFlags, PROBE(srv.port));
    assert(asPriv.includes("net:refused"), asPriv);
    assert(asPriv.includes("run:allowed"), "the privileged part may run /bin/sh: " + asPriv);
    assert(asPriv.includes("ffi:refused") && asPriv.includes("read:refused"), asPriv);
  } finally {
    await mon?.stop();
    await srv.close();
    await dir.cleanup();
  }
});
