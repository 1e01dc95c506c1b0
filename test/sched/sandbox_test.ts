/**
 * Least privilege: the exact Deno permissions bin/upssched grants (printed
 * with NUT_PRINT_PERMS=1), and a probe run with exactly those flags proving
 * that everything else is refused: other programs, other files (even next
 * to PIPEFN), other sockets, the network, the environment, native code.
 */

import { assertEquals } from "../helpers/assert.ts";
import { BIN, ROOT, run } from "../helpers/nut.ts";
import { SchedDir } from "./harness.ts";

const PROBE = `
const [conf, script, pipefn, lockfn, launcher, other] = Deno.args;
const out = {};
async function t(name, fn) {
  try { await fn(); out[name] = "allowed"; }
  catch (e) {
    out[name] = (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)
      ? "denied" : "error: " + e;
  }
}
await t("runCmdscript", () => new Deno.Command(script, { args: ["probe"] }).output());
await t("runLauncher", async () => {
  // the permission check happens at spawn; -V makes it harmless
  await new Deno.Command(launcher, { args: ["-V"], stdout: "null", stderr: "null" }).output();
});
await t("runTrue", () => new Deno.Command("/bin/true").output());
await t("runSh", () => new Deno.Command("sh", { args: ["-c", "true"] }).output());
await t("readConf", () => Deno.readTextFile(conf + "/upssched.conf"));
await t("readOtherConf", () => Deno.readTextFile(conf + "/ups.conf"));
await t("readEtc", () => Deno.readTextFile("/etc/hostname"));
await t("createLock", () => {
  Deno.openSync(lockfn, { createNew: true, write: true }).close();
  Deno.removeSync(lockfn);
});
await t("writeNextToPipe", () => Deno.writeTextFile(other, "x"));
await t("writeConf", () => Deno.writeTextFile(conf + "/upssched.conf", "x"));
await t("writeTmp", () => Deno.writeTextFile("/tmp/upssched-probe-" + Deno.pid, "x"));
await t("listenPipe", () => Deno.listen({ transport: "unix", path: pipefn }).close());
await t("listenOther", () => Deno.listen({ transport: "unix", path: other }).close());
await t("tcp", () => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close());
await t("envUpsname", () => Deno.env.get("UPSNAME"));
await t("envHome", () => Deno.env.get("HOME"));
await t("ffi", () => Deno.dlopen("libc.so.6", {}));
await t("sys", () => Deno.hostname());
console.log(JSON.stringify(out));
`;

async function perms(d: SchedDir, args: string[]): Promise<string[]> {
  const r = await run(`${BIN}/upssched`, args, { NUT_CONFPATH: d.conf, NUT_PRINT_PERMS: "1" });
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

async function probe(d: SchedDir, flags: string[]): Promise<Record<string, string>> {
  const file = `${d.root}/probe.js`;
  Deno.writeTextFileSync(file, PROBE);
  Deno.writeTextFileSync(`${d.conf}/ups.conf`, "[x]\n");
  const r = await run(
    `${ROOT}/node_modules/.bin/deno`,
    [
      "run",
      "--quiet",
      "--no-prompt",
      ...flags,
      `--allow-read=${file}`,
      file,
      d.conf,
      d.script,
      d.pipefn,
      d.lockfn,
      `${BIN}/upssched`,
      `${d.run}/other`,
    ],
    { UPSNAME: "u@h", HOME: "/root" },
  );
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

Deno.test("sandbox: bin/upssched grants exactly what upssched.conf names", async () => {
  const d = await SchedDir.create("upssched-perms-");
  try {
    d.writeConf("AT ONBATT * START-TIMER x 1\n");
    assertEquals(await perms(d, ["msg"]), [
      "cmd/upssched/main.ts",
      `--allow-read=${d.conf}/upssched.conf,${d.pipefn},${d.lockfn}`,
      `--allow-write=${d.pipefn},${d.lockfn}`,
      `--allow-net=unix:${d.pipefn}`,
      `--allow-run=${d.script},${BIN}/upssched`,
      "--allow-env=UPSNAME,NOTIFYTYPE,NUT_CONFPATH,NUT_DEBUG_LEVEL,NUT_UPSSCHED_EMPTY_WAIT,PATH",
    ]);
    assertEquals(await perms(d, ["--timer-daemon", d.pipefn, d.lockfn, d.script]), [
      "cmd/upssched/main.ts",
      `--allow-read=${d.pipefn},${d.lockfn}`,
      `--allow-write=${d.pipefn},${d.lockfn}`,
      `--allow-net=unix:${d.pipefn}`,
      `--allow-run=${d.script}`,
      "--allow-env=NUT_READY_FIFO",
    ]);
    // no configuration: nothing to reach but the launcher itself
    Deno.removeSync(`${d.conf}/upssched.conf`);
    assertEquals(await perms(d, ["-h"]), [
      "cmd/upssched/main.ts",
      `--allow-read=${d.conf}/upssched.conf`,
      `--allow-run=${BIN}/upssched`,
      "--allow-env=UPSNAME,NOTIFYTYPE,NUT_CONFPATH,NUT_DEBUG_LEVEL,NUT_UPSSCHED_EMPTY_WAIT,PATH",
    ]);
  } finally {
    await d.cleanup();
  }
});

Deno.test("sandbox: the command mode may run only CMDSCRIPT and its launcher, touch only PIPEFN/LOCKFN", async () => {
  const d = await SchedDir.create("upssched-perms-");
  try {
    d.writeConf("AT ONBATT * START-TIMER x 1\n");
    const flags = (await perms(d, ["msg"])).slice(1);
    assertEquals(await probe(d, flags), {
      runCmdscript: "allowed",
      runLauncher: "allowed",
      runTrue: "denied",
      runSh: "denied",
      readConf: "allowed",
      readOtherConf: "denied",
      readEtc: "denied",
      createLock: "allowed",
      writeNextToPipe: "denied",
      writeConf: "denied",
      writeTmp: "denied",
      listenPipe: "allowed",
      listenOther: "denied",
      tcp: "denied",
      envUpsname: "allowed",
      envHome: "denied",
      ffi: "denied",
      sys: "denied",
    });
  } finally {
    await d.cleanup();
  }
});

Deno.test("sandbox: the timer daemon may run only CMDSCRIPT and cannot read the config", async () => {
  const d = await SchedDir.create("upssched-perms-");
  try {
    d.writeConf("AT ONBATT * START-TIMER x 1\n");
    const flags = (await perms(d, ["--timer-daemon", d.pipefn, d.lockfn, d.script])).slice(1);
    const got = await probe(d, flags);
    assertEquals(got, {
      runCmdscript: "allowed",
      runLauncher: "denied",
      runTrue: "denied",
      runSh: "denied",
      readConf: "denied",
      readOtherConf: "denied",
      readEtc: "denied",
      createLock: "allowed",
      writeNextToPipe: "denied",
      writeConf: "denied",
      writeTmp: "denied",
      listenPipe: "allowed",
      listenOther: "denied",
      tcp: "denied",
      envUpsname: "denied",
      envHome: "denied",
      ffi: "denied",
      sys: "denied",
    });
  } finally {
    await d.cleanup();
  }
});
