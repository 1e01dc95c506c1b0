/**
 * upsmon idle cost: CPU used by a primary upsmon (every process it started)
 * while nothing happens, ours and Debian's NUT 2.8.0 in the same run, both
 * against our upsd with one dummy-ups UPS on line power and the shipped
 * POLLFREQ (5 s). CPU comes from /proc/<pid>/task/<tid>/schedstat (ns, exact;
 * the tick counts of /proc/<pid>/stat round an idle daemon down to 0).
 *
 * Both run at the same time (two primaries on one UPS), so that they see the
 * same machine. The window opens after a warm-up: a Deno process keeps
 * finishing start-up work (GC, compilation) for a minute or two, and an idle
 * daemon runs for months.
 *
 * Knobs: IDLE_S (window, default 100), IDLE_WARMUP_S (default 120),
 * IDLE_ROUNDS (default 3; the median round is reported), IDLE_POLLFREQ
 * (default 5), IDLE_IMPLS ("ours debian").
 * Output: a table on stdout and one JSON line per implementation.
 *
 * Debian's upsmon keeps its PID file in /run/nut, so it runs in a private
 * mount namespace (needs root and unshare); without those it is skipped.
 *
 * @module
 */

import { DEBIAN, exists, run } from "../test/helpers/nut.ts";
import {
  descendants,
  type Scene,
  startMon,
  startScene,
  stopTree,
  waitLogins,
} from "../test/monitor/scenario_kit.ts";

const IDLE_S = Number(Deno.env.get("IDLE_S") ?? 100);
const WARMUP_S = Number(Deno.env.get("IDLE_WARMUP_S") ?? 120);
const ROUNDS = Number(Deno.env.get("IDLE_ROUNDS") ?? 3);
const POLLFREQ = Number(Deno.env.get("IDLE_POLLFREQ") ?? 5);

/** CPU ns of every live thread of these processes, by "pid/tid". */
function threadCpu(pids: number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    try {
      for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
        try {
          const ns = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0];
          out.set(`${pid}/${t.name}`, Number(ns));
        } catch {
          // thread gone
        }
      }
    } catch {
      // process gone
    }
  }
  return out;
}

/**
 * CPU used between two snapshots. Deno's runtime retires idle helper
 * threads; a thread that exits takes its counter with it, so only threads
 * alive at the end count (new ones from zero) — an exited thread's last
 * moments are lost, which can only flatter neither side much.
 */
function usedNs(a: Map<string, number>, b: Map<string, number>): number {
  let sum = 0;
  for (const [k, v] of b) sum += v - (a.get(k) ?? 0);
  return sum;
}

/** Start every implementation at once, let them settle, then measure the same window. */
async function measureRound(
  scene: Scene,
  impls: Array<"ours" | "debian">,
  round: number,
): Promise<Record<string, number>> {
  const mons = await Promise.all(impls.map((impl) =>
    startMon(scene, `${impl}${round}`, {
      impl,
      lines: [`MONITOR ${scene.addr("ups")} 1 mon monpw primary`, `POLLFREQ ${POLLFREQ}`],
    })
  ));
  try {
    await waitLogins(scene, "ups", mons.length);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const pids = mons.map((m) => () => [m.proc.pid, ...descendants(m.proc.pid)]);
    const before = pids.map((p) => threadCpu(p()));
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const out: Record<string, number> = {};
    impls.forEach((impl, i) => out[impl] = usedNs(before[i], threadCpu(pids[i]())) / 1e6);
    return out;
  } finally {
    for (const m of mons) {
      await stopTree(m.proc);
      scene.mons.delete(m.name);
    }
    await waitLogins(scene, "ups", 0);
  }
}

async function debianUsable(): Promise<boolean> {
  if (!exists(DEBIAN.upsmon)) return false;
  const r = await run("unshare", ["--mount", "--propagation", "private", "--", "true"]).catch(
    () => ({ code: 1 }),
  );
  return r.code === 0;
}

const wanted = (Deno.env.get("IDLE_IMPLS") ?? "ours debian").split(/[ ,]+/);
const impls: Array<"ours" | "debian"> = [];
if (wanted.includes("ours")) impls.push("ours");
if (wanted.includes("debian")) {
  if (await debianUsable()) impls.push("debian");
  else console.error("Debian's upsmon not usable here (needs nut-client, root, unshare)");
}

const scene = await startScene(["ups"]);
const results: Record<string, number[]> = {};
try {
  for (let r = 0; r < ROUNDS; r++) {
    const got = await measureRound(scene, impls, r);
    for (const impl of impls) {
      (results[impl] ??= []).push(got[impl]);
      console.error(
        `round ${r + 1}/${ROUNDS} ${impl}: ${got[impl].toFixed(2)} ms CPU over ${IDLE_S} s`,
      );
    }
  }
} finally {
  await scene.stop();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `\n## upsmon idle CPU (POLLFREQ ${POLLFREQ}, after ${WARMUP_S} s, ${IDLE_S} s window, median of ${ROUNDS})\n`,
);
console.log("| upsmon | CPU ms per window | per 20 s | % of a core |");
console.log("| --- | --- | --- | --- |");
for (const impl of impls) {
  const ms = median(results[impl]);
  console.log(
    `| ${impl === "ours" ? "nut-deno" : "nut-2.8.0"} | ${ms.toFixed(2)} | ${
      (ms * 20 / IDLE_S).toFixed(2)
    } | ${(100 * ms / (IDLE_S * 1000)).toFixed(4)} |`,
  );
}
for (const impl of impls) {
  console.log(JSON.stringify({
    scenario: "upsmon-idle",
    impl,
    pollfreq: POLLFREQ,
    idle_s: IDLE_S,
    cpu_ms: results[impl],
  }));
}
