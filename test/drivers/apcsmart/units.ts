/**
 * Simulated APC units rebuilt from real units' NUT dumps (../shared/fixtures/ddl/APC):
 * their readings, the commands they list, their settable choices.
 *
 * @module
 */

import type { ApcDeviceOptions } from "../../../lib/sim/apc_device.ts";

export interface ApcUnit {
  file: string;
  device: ApcDeviceOptions;
  /** Dump names we do not produce, and why. */
  notOurs?: Record<string, string>;
  /** #CMD lines we do not offer, and why. */
  cmdsNotOurs?: Record<string, string>;
}

export const APC_UNITS: ApcUnit[] = [
  {
    file: "APC/APC__Smart-UPS_SC450_RM__apcsmart__2.6.1__01.dev",
    device: {
      firmwareOld: "DWI",
      firmware: "736.1.I",
      model: "Smart-UPS SC450 RM",
      commands: "\x01\x0e\x1a@ABDEFGKLMNOPQSUVWXYZabcefgjklmnopqrsux9",
      caps: [
        ["u", "4", ["253", "257", "261", "265"]],
        ["l", "4", ["208", "204", "200", "196"]],
        ["e", "4", ["00", "15", "50", "90"]],
        ["o", "I", ["230"]],
        ["s", "4", ["H", "M", "L"]],
        ["q", "4", ["02", "05", "07", "10"]],
        ["p", "4", ["060", "180", "300", "600"]],
        ["k", "4", ["0", "T", "L", "N"]],
        ["r", "4", ["000", "060", "180", "300"]],
        ["E", "4", ["336", "168", "OFF"]],
      ],
      values: {
        k: "0",
        f: "100.0",
        e: "00",
        x: "02/13/11",
        j: "0016:",
        q: "02",
        B: "13.77",
        g: "012",
        F: "50.00",
        "9": "FF",
        s: "H",
        u: "253",
        l: "208",
        G: "R",
        L: "221.7",
        M: "224.6",
        N: "221.7",
        O: "221.7",
        o: "230",
        p: "060",
        r: "000",
        c: "UPS_IDEN",
        P: "061.1",
        m: "02/13/11",
        n: "5S1107T50479",
        E: "336",
        X: "NO",
      },
    },
    notOurs: { "ups.firmware.old": "NUT 2.6 only; 2.8.0 publishes the b firmware alone" },
    cmdsNotOurs: { "shutdown.return.grace": "a command of NUT before 2.6.3" },
  },
  {
    file: "APC/APC__Smart-UPS_3000_RM__apcsmart__2.6.5__01.dev",
    device: {
      firmware: "92.11.D",
      model: "SMART-UPS 3000 RM",
      commands: "\x01\x0e\x1a@ABCDEFGKLMNOPQSUWXYZabcefgjklmnopqrsux9>",
      caps: [
        ["u", "D", ["132", "135", "138", "129"]],
        ["l", "D", ["103", "100", "097", "106"]],
        ["e", "4", ["00", "15", "50", "90"]],
        ["s", "4", ["H", "M", "L"]],
      ],
      values: {
        k: "0",
        f: "100.0",
        e: "50",
        x: "09/20/13",
        j: "0329:",
        q: "10",
        B: "55.05",
        g: "048",
        ">": "000",
        F: "60.00",
        "9": "FF",
        s: "H",
        u: "132",
        l: "103",
        G: "O",
        L: "121.5",
        M: "121.5",
        N: "121.5",
        O: "121.5",
        o: "115",
        p: "020",
        r: "000",
        c: "s0-ups0",
        P: "000.0",
        C: "046.8",
        m: "12/14/99",
        n: "WS9951003031",
        E: "336",
        X: "NO",
      },
    },
    notOurs: {
      "driver.parameter.cable": "the submitter's ups.conf",
      "driver.parameter.sdtype": "the submitter's ups.conf",
    },
  },
];
