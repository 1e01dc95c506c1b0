/**
 * Least privilege: a probe script run with exactly the Deno flags bin/upsd
 * gives the daemon (NUT_PRINT_PERMS=1) cannot run programs, load native
 * code, read outside its directories, or write its configuration.
 */
import { assertEquals } from "../helpers/assert.ts";
import { BIN, makeNutDir, ROOT, run } from "../helpers/nut.ts";

const PROBE = `
const out = {};
async function t(name, fn) {
  try { await fn(); out[name] = "allowed"; }
  catch (e) { out[name] = (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) ? "denied" : "error: " + e; }
}
const [conf, state, data] = Deno.args;
await t("run", () => new Deno.Command("/bin/true").output());
await t("ffi", () => Deno.dlopen("libc.so.6", {}));
await t("readEtc", () => Deno.readTextFile("/etc/hostname"));
await t("readHome", () => Deno.readDirSync("/root").next());
await t("readConf", () => Deno.readTextFile(conf + "/upsd.conf"));
await t("readData", () => Deno.readTextFile(data + "/cmdvartab"));
await t("writeConf", () => Deno.writeTextFile(conf + "/upsd.users", "x"));
await t("writeState", () => Deno.writeTextFile(state + "/probe", "x"));
await t("writeTmp", () => Deno.writeTextFile("/tmp/nut-probe-" + Deno.pid, "x"));
await t("envHome", () => { if (Deno.env.get("HOME") === undefined) throw new Error("unset"); });
await t("envNut", () => Deno.env.get("NUT_CONFPATH"));
await t("sys", () => Deno.hostname());
await t("listen", () => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close());
console.log(JSON.stringify(out));
`;

Deno.test("bin/upsd's daemon permissions refuse programs, FFI, foreign files and env", async () => {
  const dir = await makeNutDir("upsd-perms-");
  try {
    dir.write("upsd.conf", "LISTEN 127.0.0.1 3493\n");
    const env = { ...dir.env, NUT_PRINT_PERMS: "1", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
    const p = await run(`${BIN}/upsd`, [], env);
    assertEquals(p.code, 0);
    const flags = p.stdout.trim().split("\n");
    for (const f of flags) {
      if (/^--allow-(run|ffi|sys|all)\b/.test(f) || f === "-A") {
        throw new Error(`daemon must not get ${f}`);
      }
    }
    const probe = `${dir.root}/probe.js`;
    Deno.writeTextFileSync(probe, PROBE);
    const deno = `${ROOT}/node_modules/.bin/deno`;
    const r = await run(
      deno,
      [
        "run",
        "--quiet",
        "--no-prompt",
        ...flags,
        `--allow-read=${probe}`,
        probe,
        dir.conf,
        dir.state,
        `${ROOT}/share`,
      ],
      { ...dir.env, HOME: "/root", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(JSON.parse(r.stdout), {
      run: "denied",
      ffi: "denied",
      readEtc: "denied",
      readHome: "denied",
      readConf: "allowed",
      readData: "allowed",
      writeConf: "denied",
      writeState: "allowed",
      writeTmp: "denied",
      envHome: "denied",
      envNut: "allowed",
      sys: "denied",
      listen: "allowed",
    });
  } finally {
    await dir.cleanup();
  }
});
