/**
 * The libc serial binding on real pseudo-terminals: bytes both ways, reads
 * up to a terminator with timeouts (no busy waiting), a vanished port,
 * symlinked ports, line settings, and NUT-style open errors.
 */

import process from "node:process";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { Pty } from "../../lib/transport/pty.ts";
import {
  openErrorText,
  openSerial,
  SerialError,
  SerialOpenError,
  toBytes,
  toText,
} from "../../lib/transport/serial.ts";
import { libc, TCSANOW } from "../../lib/transport/libc.ts";
import { readSettings, TERMIOS_SIZE } from "../../lib/transport/termios.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "serial: bytes travel both ways on a pty; extra input waits for the next read",
  ...opts,
  async fn() {
    const pty = Pty.open();
    const port = openSerial(pty.slavePath);
    try {
      await port.write("Q1\r");
      assertEquals(await pty.master.readLine(1000), { text: "Q1\r", complete: true });
      await pty.master.write("(230.0 1\r(second");
      assertEquals(await port.readLine(1000), { text: "(230.0 1\r", complete: true });
      // the rest stays buffered; without its CR the read times out with what came
      assertEquals(await port.readLine(200), { text: "(second", complete: false });
      // every byte value survives (no charset remapping)
      const all = new Uint8Array(256).map((_, i) => i);
      await pty.master.write(all);
      let got = "";
      while (got.length < 256) got += await port.read(1000);
      assertEquals(toBytes(got), all);
    } finally {
      port.close();
      pty.close();
    }
  },
});

Deno.test({
  name: "serial: waiting for a reply does not spin the CPU",
  ...opts,
  async fn() {
    const pty = Pty.open();
    const port = openSerial(pty.slavePath);
    try {
      const before = process.cpuUsage();
      const t0 = Date.now();
      const r = await port.readLine(1500);
      const elapsed = Date.now() - t0;
      const cpu = process.cpuUsage(before);
      assertEquals(r, { text: "", complete: false });
      assert(elapsed >= 1400, `timeout honoured (${elapsed} ms)`);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      assert(cpuMs < 150, `CPU while waiting 1.5 s: ${cpuMs} ms`);
    } finally {
      port.close();
      pty.close();
    }
  },
});

Deno.test({
  name: "serial: a port that goes away fails the read with SerialError",
  ...opts,
  async fn() {
    const pty = Pty.open();
    const port = openSerial(pty.slavePath);
    try {
      const pending = port.readLine(3000);
      setTimeout(() => pty.close(), 100);
      let err: unknown;
      try {
        await pending;
      } catch (e) {
        err = e;
      }
      assert(err instanceof SerialError, `got ${err}`);
      assertStringIncludes((err as Error).message, pty.slavePath);
    } finally {
      port.close();
    }
    let closedErr: unknown;
    try {
      await port.write("x");
    } catch (e) {
      closedErr = e;
    }
    assert(closedErr instanceof SerialError, "write after close fails");
  },
});

Deno.test({
  name: "serial: symlinked ports are resolved; the line is raw 2400 8N1 by default",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const pty = Pty.open();
    const link = `${dir}/usb-ACME_UPS-if00-port0`;
    Deno.symlinkSync(pty.slavePath, link);
    const port = openSerial(link, {
      line: { baud: 9600, dataBits: 7, parity: "even", stopBits: 2, rtscts: false, xonxoff: false },
    });
    try {
      assertEquals(port.path, pty.slavePath);
      const t = new Uint8Array(TERMIOS_SIZE);
      assertEquals(libc().tcgetattr(port.fd, t), 0);
      const s = readSettings(t);
      // Linux ptys force CS8 and no parity; speed and stop bits stick (termios_test checks the rest)
      assertEquals([s.baud, s.stopBits, s.raw], [9600, 2, true]);
      // ptys have no modem lines: reported as such, not as an error
      assertEquals(port.modemLines(), undefined);
      assertEquals(port.setModemLines({ dtr: true }), false);
      assertEquals(TCSANOW, 0);
    } finally {
      port.close();
      pty.close();
      await Deno.remove(dir, { recursive: true });
    }
    const def = Pty.open();
    const p2 = openSerial(def.slavePath);
    try {
      const t = new Uint8Array(TERMIOS_SIZE);
      libc().tcgetattr(p2.fd, t);
      const s = readSettings(t);
      assertEquals([s.baud, s.dataBits, s.parity, s.stopBits, s.rtscts, s.raw], [
        2400,
        8,
        "none",
        1,
        false,
        true,
      ]);
    } finally {
      p2.close();
      def.close();
    }
  },
});

Deno.test("serial: open errors say why and what to try", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = `${dir}/ttyUSB9`;
    let e: unknown;
    try {
      openSerial(missing);
    } catch (err) {
      e = err;
    }
    assert(e instanceof SerialOpenError);
    assertStringIncludes(e.message, `Unable to open ${missing}: No such file or directory`);
    assertStringIncludes(e.message, "port =");
    assertEquals(e.code, "ENOENT");

    const dangling = `${dir}/by-id-link`;
    Deno.symlinkSync(`${dir}/gone`, dangling);
    try {
      openSerial(dangling);
      assert(false, "dangling link opened");
    } catch (err) {
      assertStringIncludes((err as Error).message, "symbolic link whose target is missing");
    }

    const plain = `${dir}/file`;
    Deno.writeTextFileSync(plain, "x");
    try {
      openSerial(plain);
      assert(false, "plain file opened");
    } catch (err) {
      assertMatch((err as Error).message, /not a serial port/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serial: permission problems name user, owner, group and mode (as NUT)", () => {
  const stat = { uid: 0, gid: 20, mode: 0o20660 } as unknown as Deno.FileInfo;
  const names = {
    user: (id: number) => (id === 0 ? "root" : id === 1000 ? "nut" : undefined),
    group: (id: number) => (id === 20 ? "dialout" : undefined),
  };
  const text = openErrorText("/dev/ttyS0", "Permission denied", { uid: 1000, stat }, names);
  assertStringIncludes(text, "Unable to open /dev/ttyS0: Permission denied");
  assertStringIncludes(text, "Current user id: nut (1000)");
  assertStringIncludes(text, "Serial port owner: root (0)");
  assertStringIncludes(text, "Serial port group: dialout (20)");
  assertStringIncludes(text, "Mode of port: 0660");
  assertStringIncludes(text, "run the driver as another user");
});

const isRoot = Deno.uid() === 0;
const haveNobody = (() => {
  try {
    return Deno.readTextFileSync("/etc/passwd").split("\n").some((l) => l.startsWith("nobody:"));
  } catch {
    return false;
  }
})();

Deno.test({
  name: "serial: a real EACCES (port owned by root, mode 0600, opened as nobody)",
  ignore: !isRoot || !haveNobody,
  ...opts,
  async fn() {
    const pty = Pty.open();
    Deno.chmodSync(pty.slavePath, 0o600);
    const url = new URL("../../lib/transport/serial.ts", import.meta.url).href;
    const probe = await Deno.makeTempFile({ suffix: ".ts" });
    Deno.chmodSync(probe, 0o644);
    Deno.writeTextFileSync(
      probe,
      `import { openSerial } from "${url}";
       try { openSerial(${JSON.stringify(pty.slavePath)}); console.log("opened"); }
       catch (e) { console.log(e.message); }`,
    );
    try {
      const uid = Number(
        Deno.readTextFileSync("/etc/passwd").split("\n").find((l) => l.startsWith("nobody:"))!
          .split(":")[2],
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", probe],
        uid,
        env: { DENO_DIR: `/tmp/nut-deno-nobody-${uid}`, HOME: "/tmp" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      if (
        /Permission denied \(os error 13\)|EACCES.*deno|Could not create/i.test(text) &&
        !/Unable to open/.test(text)
      ) {
        console.log("skipped: this Deno cannot run as nobody here:", text.slice(0, 200));
        return;
      }
      assertStringIncludes(text, `Unable to open ${pty.slavePath}: Permission denied`);
      assertMatch(text, /Current user id: (nobody \()?\d+/);
      assertMatch(text, /Serial port owner: (root \()?0/);
      assertStringIncludes(text, "Mode of port: 0600");
    } finally {
      pty.close();
      await Deno.remove(probe);
    }
  },
});

Deno.test("serial: Latin-1 text and bytes convert both ways", () => {
  assertEquals(toText(new Uint8Array([0x28, 0x80, 0x9f, 0xff, 0x0d])), "(\x80\x9f\xff\r");
  assertEquals(toBytes("S.5R0003\r"), new TextEncoder().encode("S.5R0003\r"));
});

Deno.test({
  name: "serial: closing right after a write does not drop the bytes (a last command before exit)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pty = Pty.open();
    try {
      for (let i = 0; i < 20; i++) {
        const port = openSerial(pty.slavePath);
        await port.write(`S.5R0003-${i}\r`);
        port.close();
        assertEquals(await pty.master.readLine(1000), { text: `S.5R0003-${i}\r`, complete: true });
      }
    } finally {
      pty.close();
    }
  },
});
