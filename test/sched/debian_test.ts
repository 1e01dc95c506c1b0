/**
 * bin/upssched beside Debian's NUT 2.8.0 /sbin/upssched, for what 2.8.0 gets
 * right: fatal configuration messages and exit codes, EXECUTE, START with
 * expiry, START then CANCEL, CANCEL's fallback command, the socket's mode.
 * Where we follow newer NUT on purpose (NOTIFYMSG, message wording, file:line
 * in config errors) the comparison normalizes or skips that part.
 * Skipped with a message when Debian's upssched is not installed.
 *
 * 2.8.0 counts whole seconds (a 1 s timer may fire at once), so the timers
 * here are 2 s long. 2.8.0 may also re-read config lines after it forked its
 * daemon (a documented bug), repeating a START or CANCEL: runs are compared
 * as distinct records, and the cancel test starts the daemons first with an
 * unrelated event ("warm-up") so that its START is not repeated.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import {
  haveDebianUpssched,
  NO_DEBIAN_UPSSCHED,
  type RunResult,
  SchedDir,
  sleep,
} from "./harness.ts";

if (!haveDebianUpssched) console.log(NO_DEBIAN_UPSSCHED);

const ONBATT = { ups: "dummy@127.0.0.1:3493", type: "ONBATT", msg: "UPS dummy on battery" };
const ONLINE = { ups: "dummy@127.0.0.1:3493", type: "ONLINE", msg: "UPS dummy on line power" };

/** One directory per implementation, the same configuration body in both. */
async function pair(body: string, raw = false) {
  const ours = await SchedDir.create("upssched-ours-");
  const nut = await SchedDir.create("upssched-nut-");
  // a raw body names the paths of "ours"; give NUT its own
  ours.writeConf(body, raw);
  nut.writeConf(raw ? body.replaceAll(ours.root, nut.root) : body, raw);
  return {
    ours,
    nut,
    async cleanup() {
      await ours.cleanup();
      await nut.cleanup();
    },
  };
}

/** Start both daemons with a long, unrelated timer, so later events do not fork. */
const WARM_UP_LINE = "AT COMMBAD * START-TIMER keepalive 60\n";
const COMMBAD = { ups: "other@127.0.0.1", type: "COMMBAD", msg: "comm lost" };

async function warmUp(p: { ours: SchedDir; nut: SchedDir }): Promise<void> {
  const [a, b] = await Promise.all([p.ours.event(COMMBAD), p.nut.debianEvent(COMMBAD)]);
  assertEquals([a.code, b.code], [0, 0]);
  await waitFor(() => p.ours.exists(p.ours.pipefn) && p.nut.exists(p.nut.pipefn), 3000, "daemons");
}

/** The parts of a CMDSCRIPT record 2.8.0 shares with us (it has no NOTIFYMSG). */
function common(records: string[]): string[] {
  return records.map((r) => r.replace(/ NOTIFYMSG=\[.*\]$/, ""));
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name: `upssched vs NUT 2.8.0: ${name}`, ignore: !haveDebianUpssched, fn });
}

test("AT before CMDSCRIPT, PIPEFN or LOCKFN: same stdout, exit status 1", async () => {
  const cases = [
    "AT ONBATT * EXECUTE x\n",
    "CMDSCRIPT /bin/true\nAT ONBATT * EXECUTE x\n",
    "CMDSCRIPT /bin/true\nPIPEFN /nonexistent/p\nAT ONBATT * EXECUTE x\n",
  ];
  for (const body of cases) {
    const p = await pair(body, true);
    try {
      const [a, b] = await Promise.all([p.ours.event(ONBATT), p.nut.debianEvent(ONBATT)]);
      assertEquals([a.code, a.stdout], [b.code, b.stdout], body);
      assertEquals(a.code, 1);
    } finally {
      await p.cleanup();
    }
  }
});

test("missing UPSNAME/NOTIFYTYPE: exit status 1 and a message on stdout only", async () => {
  const p = await pair("AT ONBATT * EXECUTE x\n");
  try {
    for (const ev of [{}, { ups: "u" }, { type: "ONBATT" }]) {
      const [a, b] = await Promise.all([p.ours.event(ev), p.nut.debianEvent(ev)]);
      const shape = (r: RunResult) => [r.code, r.stdout.split("\n").length, r.stderr];
      assertEquals(shape(a), shape(b), JSON.stringify(ev));
      assertEquals(a.code, 1);
      // 2.8.0: "Error: UPSNAME and NOTIFYTYPE must be set."; newer NUT names the variables
      assert(a.stdout.startsWith("Error: environment variables UPSNAME and NOTIFYTYPE"));
      assert(b.stdout.startsWith("Error: UPSNAME and NOTIFYTYPE must be set."));
    }
  } finally {
    await p.cleanup();
  }
});

test("config errors and bad AT commands: same messages (ours add file:line), exit status 0", async () => {
  const p = await pair(
    'BOGUS foo bar\nAT ONBATT * EXECUTE\nAT ONBATT * BOGUS-CMD x\nAT ONBATT * EXECUTE ""\n' +
      "AT ONBATT * execute lower\n",
  );
  try {
    const [a, b] = await Promise.all([p.ours.event(ONBATT), p.nut.debianEvent(ONBATT)]);
    assertEquals([a.code, b.code], [0, 0]);
    const ours = a.stderr.split("\n").filter(Boolean)
      .filter((l) => !l.startsWith("Encountered ")) // newer NUT's summary line
      .map((l) => l.replace(/^\/\S+\/upssched\.conf:\d+: /, "upssched.conf: "))
      .map((l) => l.replace(/^(Invalid command: \S+)\t.*$/, "$1")); // newer NUT adds the args
    assertEquals(ours, b.stderr.split("\n").filter(Boolean));
  } finally {
    await p.cleanup();
  }
});

test("EXECUTE: CMDSCRIPT runs at once with the same argv, UPSNAME and NOTIFYTYPE", async () => {
  const p = await pair("AT ONBATT * EXECUTE on-battery\nAT ONBATT * EXECUTE again\n");
  try {
    const [a, b] = await Promise.all([p.ours.event(ONBATT), p.nut.debianEvent(ONBATT)]);
    assertEquals([a.code, b.code], [0, 0]);
    assertEquals(common(p.ours.records()), common(p.nut.records()));
    assertEquals(common(p.ours.records()), [
      `argv=[on-battery] UPSNAME=[${ONBATT.ups}] NOTIFYTYPE=[ONBATT]`,
      `argv=[again] UPSNAME=[${ONBATT.ups}] NOTIFYTYPE=[ONBATT]`,
    ]);
    // newer NUT exports the message too; 2.8.0 does not
    assert(p.ours.records()[0].endsWith(`NOTIFYMSG=[${ONBATT.msg}]`));
  } finally {
    await p.cleanup();
  }
});

test("START-TIMER: the daemon runs CMDSCRIPT once when the timer expires", async () => {
  const p = await pair("AT ONLINE * CANCEL-TIMER other\nAT ONBATT * START-TIMER onbattwarn 2\n");
  try {
    const [a, b] = await Promise.all([p.ours.event(ONBATT), p.nut.debianEvent(ONBATT)]);
    assertEquals([a.code, b.code], [0, 0]);
    assertEquals([p.ours.records(), p.nut.records()], [[], []], "not before expiry");
    for (const d of [p.ours, p.nut]) {
      const st = Deno.lstatSync(d.pipefn);
      assertEquals([st.isSocket, st.mode! & 0o777], [true, 0o660], d.root);
    }
    await waitFor(
      () => p.ours.records().length > 0 && p.nut.records().length > 0,
      6000,
      "both timers",
    );
    await sleep(1200);
    // 2.8.0 may repeat the START after forking its daemon: compare its distinct records
    assertEquals(common(p.ours.records()), [...new Set(common(p.nut.records()))]);
    assertEquals(common(p.ours.records()), [
      `argv=[onbattwarn] UPSNAME=[${ONBATT.ups}] NOTIFYTYPE=[ONBATT]`,
    ]);
  } finally {
    await p.cleanup();
  }
});

test("START-TIMER then CANCEL-TIMER: nothing runs", async () => {
  const p = await pair(
    WARM_UP_LINE + "AT ONLINE * CANCEL-TIMER onbattwarn\nAT ONBATT * START-TIMER onbattwarn 2\n",
  );
  try {
    await warmUp(p);
    await Promise.all([p.ours.event(ONBATT), p.nut.debianEvent(ONBATT)]);
    const [a, b] = await Promise.all([p.ours.event(ONLINE), p.nut.debianEvent(ONLINE)]);
    assertEquals([a.code, b.code], [0, 0]);
    await sleep(3000);
    assertEquals([p.ours.records(), p.nut.records()], [[], []]);
  } finally {
    await p.cleanup();
  }
});

test("CANCEL-TIMER with a command when nothing is pending runs the command with the event's variables", async () => {
  const p = await pair("AT ONLINE * CANCEL-TIMER onbattwarn back-late\n");
  try {
    const [a, b] = await Promise.all([p.ours.event(ONLINE), p.nut.debianEvent(ONLINE)]);
    assertEquals([a.code, b.code], [0, 0]);
    await waitFor(() => p.nut.records().length > 0, 4000, "NUT's cancel command");
    await sleep(300);
    // 2.8.0 may repeat the line after forking its daemon: compare its distinct records
    assertEquals(common(p.ours.records()), [...new Set(common(p.nut.records()))]);
    assertEquals(common(p.ours.records()), [
      `argv=[back-late] UPSNAME=[${ONLINE.ups}] NOTIFYTYPE=[ONLINE]`,
    ]);
  } finally {
    await p.cleanup();
  }
});

test("CANCEL-TIMER without a command and no daemon: no daemon is started", async () => {
  const p = await pair("AT ONLINE * CANCEL-TIMER onbattwarn\n");
  try {
    const [a, b] = await Promise.all([p.ours.event(ONLINE), p.nut.debianEvent(ONLINE)]);
    assertEquals([a.code, b.code], [0, 0]);
    assertEquals([p.ours.exists(p.ours.pipefn), p.nut.exists(p.nut.pipefn)], [false, false]);
    assertEquals([p.ours.daemonPids(), p.nut.debianDaemonPids()], [[], []]);
  } finally {
    await p.cleanup();
  }
});
