/**
 * The client launchers' sandboxes: the exact Deno permissions they grant
 * (NUT_PRINT_PERMS=1), and proof that what they do not grant is refused.
 */

import { assertEquals } from "../helpers/assert.ts";
import { BIN, ROOT, run } from "../helpers/nut.ts";

async function perms(
  tool: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string[]> {
  const r = await run(`${BIN}/${tool}`, args, { ...env, NUT_PRINT_PERMS: "1" });
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

const NET_ENV = "--allow-env=NUT_DEFAULT_CONNECT_TIMEOUT,NUT_QUIET_INIT_SSL,NUT_ARGV0";

Deno.test("launchers: upsc, upscmd, upsrw get the network and nothing else", async () => {
  assertEquals(await perms("upsc", ["ups@host"]), ["cmd/upsc/main.ts", "--allow-net", NET_ENV]);
  for (const tool of ["upscmd", "upsrw"]) {
    assertEquals(await perms(tool, ["ups@host"]), [
      `cmd/${tool}/main.ts`,
      "--allow-net",
      `${NET_ENV},USER,LOGNAME`,
      "--allow-sys=uid,gid,userInfo", // getpwuid() for the "Username (login): " prompt
    ]);
  }
});

Deno.test("launchers: upslog may write exactly its log files and PID file", async () => {
  const env = { NUT_ALTPIDPATH: "/tmp/pids" };
  const p = await perms("upslog", [
    "-s",
    "a@h",
    "-l",
    "/var/log/a.log",
    "-m",
    "b@h,/var/log/b.log",
    "-m",
    "c@h,-",
  ], env);
  assertEquals(p, [
    "cmd/upslog/main.ts",
    "--allow-net",
    "--allow-sys=hostname",
    "--allow-write=/tmp/pids/upslog.pid,/var/log/a.log,/var/log/b.log",
    "--allow-env=NUT_DEFAULT_CONNECT_TIMEOUT,NUT_QUIET_INIT_SSL,NUT_ALTPIDPATH,NUT_STATEPATH,NUT_ARGV0,NUT_READY_FIFO",
  ]);
  // -p with an absolute path; the legacy form's file
  assertEquals(
    (await perms("upslog", ["-p", "/run/x.pid", "a@h", "/var/log/c.log", "10"], env))[3],
    "--allow-write=/run/x.pid,/var/log/c.log",
  );
});

Deno.test("launchers: what upslog's sandbox does not grant is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nut-sandbox-" });
  try {
    const granted = await perms("upslog", ["-s", "a@h", "-l", `${dir}/ok.log`], {
      NUT_ALTPIDPATH: dir,
    });
    const probe = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      probe,
      `const tries = {
        write_log: () => Deno.writeTextFileSync(${JSON.stringify(`${dir}/ok.log`)}, "x"),
        write_other: () => Deno.writeTextFileSync(${JSON.stringify(`${dir}/other.log`)}, "x"),
        read: () => Deno.readTextFileSync("/etc/hostname"),
        run: () => new Deno.Command("true").outputSync(),
        env: () => Deno.env.get("HOME"),
      };
      const out = {};
      for (const [k, f] of Object.entries(tries)) {
        try { f(); out[k] = "allowed"; } catch (e) { out[k] = e.name; }
      }
      console.log(JSON.stringify(out));`,
    );
    const deno = `${ROOT}/node_modules/.bin/deno`;
    const r = await run(deno, ["run", "--quiet", "--no-prompt", ...granted.slice(1), probe]);
    assertEquals(JSON.parse(r.stdout), {
      write_log: "allowed",
      write_other: "NotCapable",
      read: "NotCapable",
      run: "NotCapable",
      env: "NotCapable",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
