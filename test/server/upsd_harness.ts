/**
 * Start our upsd (through bin/upsd) in a temp NUT directory on a free
 * loopback port, and talk to it line by line.
 *
 * @module
 */

import { BIN, freePort, makeNutDir, type NutDir, portOpen, Proc, waitFor } from "../helpers/nut.ts";

export interface UpsdOptions {
  /** ups.conf text (default: one UPS `fake` for a FakeDriver). */
  ups?: string;
  users?: string;
  /** Extra upsd.conf lines (LISTEN is added unless `listen` is false). */
  conf?: string;
  listen?: boolean;
  args?: string[];
  env?: Record<string, string>;
  /** Files to create before start (name → text), relative to conf/. */
  files?: Record<string, string>;
  /** Reuse this directory instead of making one. */
  dir?: NutDir;
}

export interface UpsdRun {
  dir: NutDir;
  port: number;
  proc: Proc;
  env: Record<string, string>;
  /** Stop upsd (SIGTERM) and remove the temp directory. */
  stop(): Promise<Deno.CommandStatus>;
}

export const USERS = `[admin]
  password = secret
  actions = SET FSD
  instcmds = ALL
[mon]
  password = pass
  upsmon primary
[sec]
  password = s
  upsmon secondary
`;

export async function startUpsd(o: UpsdOptions = {}): Promise<UpsdRun> {
  const dir = o.dir ?? await makeNutDir("upsd-test-");
  const port = freePort();
  const env = {
    ...dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    ...o.env,
  };
  dir.write("ups.conf", o.ups ?? "[fake]\n  driver = fake\n  port = none\n");
  dir.write(
    "upsd.conf",
    (o.listen === false ? "" : `LISTEN 127.0.0.1 ${port}\n`) + (o.conf ?? ""),
    0o640,
  );
  dir.write("upsd.users", o.users ?? USERS, 0o640);
  for (const [name, text] of Object.entries(o.files ?? {})) dir.write(name, text);
  const proc = new Proc(`${BIN}/upsd`, o.args ?? ["-F"], env);
  const run: UpsdRun = {
    dir,
    port,
    proc,
    env,
    async stop() {
      const st = await proc.stop();
      if (!o.dir) await dir.cleanup();
      return st;
    },
  };
  if (o.listen !== false) {
    try {
      await waitFor(
        async () => {
          const st = await Promise.race([
            proc.status,
            new Promise((r) => setTimeout(() => r(null), 1)),
          ]);
          if (st) throw new Error(`upsd exited: ${proc.stderr}`);
          return await portOpen(port);
        },
        20000,
        "upsd listening",
      );
    } catch (e) {
      await run.stop();
      throw e;
    }
  }
  return run;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A raw protocol client: one request, its whole reply. */
export class LineClient {
  #buf = "";
  #chunk = new Uint8Array(65536);
  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<LineClient> {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.setNoDelay(true);
    return new LineClient(c);
  }

  async send(raw: string): Promise<void> {
    await this.conn.write(enc.encode(raw));
  }

  /** Next reply line (without LF); null at EOF. */
  async line(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#buf.includes("\n")) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no reply within ${timeoutMs} ms (have ${JSON.stringify(this.#buf)})`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        // a reset (server closed with unread input) counts as EOF
        this.conn.read(this.#chunk).catch((e) => {
          if (e instanceof Deno.errors.ConnectionReset) return null;
          throw e;
        }),
        new Promise<"t">((r) => timer = setTimeout(() => r("t"), left)),
      ]);
      clearTimeout(timer);
      if (n === "t") continue;
      if (n === null) return null;
      this.#buf += dec.decode(this.#chunk.subarray(0, n));
    }
    const i = this.#buf.indexOf("\n");
    const l = this.#buf.slice(0, i);
    this.#buf = this.#buf.slice(i + 1);
    return l;
  }

  /** Send one request line; the reply (a LIST block joined by LF). */
  async req(line: string, timeoutMs = 5000): Promise<string> {
    await this.send(line + "\n");
    const first = await this.line(timeoutMs);
    if (first === null) throw new Error(`EOF after ${line}`);
    if (!first.startsWith("BEGIN LIST ")) return first;
    const out = [first];
    while (true) {
      const l = await this.line(timeoutMs);
      if (l === null) throw new Error(`EOF inside LIST after ${line}`);
      out.push(l);
      if (l.startsWith("END LIST ")) return out.join("\n");
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }
}

/** The spec's `fake` driver dump (net-protocol.md §6/§7 examples). */
export const FAKE_DUMP = [
  'SETINFO battery.charge "95"',
  'SETINFO input.transfer.high "130"',
  "ADDRANGE input.transfer.high 120 140",
  "ADDRANGE input.transfer.high 150 160",
  "SETFLAGS input.transfer.high RW NUMBER",
  'SETINFO input.transfer.low "100"',
  'ADDENUM input.transfer.low "100"',
  'ADDENUM input.transfer.low "103"',
  'ADDENUM input.transfer.low "a\\"b"',
  "SETFLAGS input.transfer.low RW",
  'SETINFO output.voltage "230.5"',
  'SETINFO ups.contact "nobody"',
  "SETFLAGS ups.contact RW STRING",
  'SETINFO ups.id "Fake \\"one\\" \\\\ x"',
  "SETAUX ups.id 12",
  "SETFLAGS ups.id RW STRING",
  'SETINFO Ups.MixedCase "mc"',
  'SETINFO ups.ro "readonly"',
  'SETINFO ups.status "OL"',
  "ADDCMD beeper.toggle",
  "ADDCMD load.off",
  "ADDCMD Load.On",
  "ADDCMD test.battery.start",
  "DATAOK",
];
