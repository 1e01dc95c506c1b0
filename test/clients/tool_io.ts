/**
 * An in-memory ToolIO for running client tools in-process in tests.
 *
 * @module
 */

import { type InputLine, StdinLines, type ToolIO } from "../../lib/clients/io.ts";

export interface FakeIO {
  io: ToolIO;
  stdout(): string;
  stderr(): string;
}

export function fakeIO(opts: { stdin?: string; login?: string; argv0?: string } = {}): FakeIO {
  let out = "", err = "";
  const data = new TextEncoder().encode(opts.stdin ?? "");
  let off = 0;
  const lines = new StdinLines({
    read(p: Uint8Array): Promise<number | null> {
      if (off >= data.length) return Promise.resolve(null);
      const n = Math.min(p.length, data.length - off);
      p.set(data.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
  });
  const io: ToolIO = {
    argv0: opts.argv0 ?? "prog",
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    flush() {},
    readLine: (): Promise<InputLine | null> => lines.next(),
    async readSecret(prompt) {
      err += prompt;
      const l = await lines.next();
      return l === null ? null : l.text;
    },
    loginName: () => Promise.resolve(opts.login),
    env: () => undefined,
  };
  return { io, stdout: () => out, stderr: () => err };
}
