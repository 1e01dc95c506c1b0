/**
 * NUT's word splitter ("parseconf"): one state machine shared by every config
 * file, the network protocol and the driver socket protocol.
 *
 * Rules (see spec net-protocol.md §2): LF ends a line; other whitespace
 * separates words; `"` at a word start quotes until the next unescaped `"`;
 * `\x` takes x literally (and `\` LF continues the line); `#` outside quotes
 * starts a comment, inside quotes it is an error; `=` outside quotes is a word
 * of its own; bytes < 0x20 or >= 0x80 inside words are dropped; at most 32
 * words of at most 512 characters per line (excess dropped).
 *
 * Divergence from NUT, on purpose: after the "unescaped # in quotes" error the
 * rest of that physical line is skipped (NUT drops the rest of its 512-byte
 * read chunk on the network, or re-parses the tail as a new line in files).
 * Both NUT behaviours depend on accidents; skipping to LF is predictable.
 *
 * @module
 */

export const MAX_WORDS = 32;
export const MAX_WORD_LEN = 512;

/** Receives the tokenizer's output. */
export interface TokenSink {
  /** A complete line, possibly with zero words (empty or comment-only line). */
  line(words: string[], lineNo: number): void;
  /** A line that was discarded because of a syntax error. */
  error(message: string, lineNo: number): void;
}

const enum St {
  Idle,
  Bare,
  Quoted,
  BareEscape,
  QuotedEscape,
  IdleEscape,
  Comment,
  SkipLine,
}

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const EQUALS = 0x3d;

function isSpace(b: number): boolean {
  // C isspace(): SP, TAB, LF, VT, FF, CR
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** Streaming tokenizer: feed bytes as they arrive, lines come out of the sink. */
export class Tokenizer {
  #state = St.Idle;
  #words: string[] = [];
  #cur: number[] = [];
  #inWord = false;
  #lineNo = 1;
  #lineStart = 1;

  /** Feed a chunk of bytes (or an ASCII/latin1 string). */
  feed(data: Uint8Array | string, sink: TokenSink): void {
    if (typeof data === "string") {
      for (let i = 0; i < data.length; i++) this.#byte(data.charCodeAt(i) & 0xff, sink);
    } else {
      for (let i = 0; i < data.length; i++) this.#byte(data[i], sink);
    }
  }

  /** End of input: a last line without LF still counts (config files). */
  end(sink: TokenSink): void {
    if (this.#state === St.Quoted || this.#state === St.QuotedEscape) {
      this.#reset();
      sink.error("Unbalanced word due to missing closing quote at end of file", this.#lineStart);
      return;
    }
    if (this.#state === St.SkipLine) {
      this.#reset();
      return;
    }
    if (this.#inWord || this.#words.length > 0) {
      this.#endWord();
      const words = this.#words;
      this.#reset();
      sink.line(words, this.#lineStart);
    }
  }

  /** True while a line is partly received (used to bound idle peers). */
  get pending(): boolean {
    return this.#inWord || this.#words.length > 0 || this.#state !== St.Idle;
  }

  #reset(): void {
    this.#state = St.Idle;
    this.#words = [];
    this.#cur = [];
    this.#inWord = false;
  }

  #add(b: number): void {
    if (b < 0x20 || b >= 0x80) return; // NUT drops invalid characters
    if (this.#cur.length < MAX_WORD_LEN) this.#cur.push(b);
  }

  #endWord(): void {
    if (!this.#inWord) return;
    if (this.#words.length < MAX_WORDS) this.#words.push(String.fromCharCode(...this.#cur));
    this.#cur = [];
    this.#inWord = false;
  }

  #endLine(sink: TokenSink): void {
    this.#endWord();
    const words = this.#words;
    const start = this.#lineStart;
    this.#words = [];
    this.#state = St.Idle;
    this.#lineStart = this.#lineNo;
    sink.line(words, start);
  }

  #byte(b: number, sink: TokenSink): void {
    if (b === LF) this.#lineNo++;
    switch (this.#state) {
      case St.Idle:
        if (b === LF) return this.#endLine(sink);
        if (isSpace(b)) return;
        if (b === HASH) {
          this.#state = St.Comment;
          return;
        }
        if (b === QUOTE) {
          this.#inWord = true;
          this.#state = St.Quoted;
          return;
        }
        if (b === BACKSLASH) {
          this.#state = St.IdleEscape;
          return;
        }
        if (b === EQUALS) {
          this.#inWord = true;
          this.#add(b);
          this.#endWord();
          return;
        }
        if (b < 0x20 || b >= 0x80) return;
        this.#inWord = true;
        this.#state = St.Bare;
        this.#add(b);
        return;
      case St.Bare:
        if (b === LF) return this.#endLine(sink);
        if (isSpace(b)) {
          this.#endWord();
          this.#state = St.Idle;
          return;
        }
        if (b === HASH) {
          this.#endWord();
          this.#state = St.Comment;
          return;
        }
        if (b === BACKSLASH) {
          this.#state = St.BareEscape;
          return;
        }
        if (b === EQUALS) {
          this.#endWord();
          this.#inWord = true;
          this.#add(b);
          this.#endWord();
          this.#state = St.Idle;
          return;
        }
        this.#add(b);
        return;
      case St.Quoted:
        if (b === QUOTE) {
          this.#endWord();
          this.#state = St.Idle;
          return;
        }
        if (b === BACKSLASH) {
          this.#state = St.QuotedEscape;
          return;
        }
        if (b === HASH) {
          const start = this.#lineStart;
          this.#words = [];
          this.#cur = [];
          this.#inWord = false;
          this.#state = St.SkipLine;
          sink.error("Unbalanced word due to unescaped # in quotes", start);
          return;
        }
        this.#add(b); // LF inside quotes is dropped here (control character)
        return;
      case St.QuotedEscape:
        this.#add(b);
        this.#state = St.Quoted;
        return;
      case St.BareEscape:
        if (b !== LF) this.#add(b);
        this.#state = St.Bare;
        return;
      case St.IdleEscape:
        if (b === LF) {
          this.#state = St.Idle;
          return;
        }
        this.#inWord = true;
        this.#add(b);
        this.#state = St.Bare;
        return;
      case St.Comment:
        if (b === LF) return this.#endLine(sink);
        return;
      case St.SkipLine:
        if (b === LF) {
          this.#state = St.Idle;
          this.#lineStart = this.#lineNo;
        }
        return;
    }
  }
}

/** One logical line of a config file. */
export interface ConfLine {
  lineNo: number;
  words: string[];
}

/** Syntax error found while splitting a file. */
export interface ConfError {
  lineNo: number;
  message: string;
}

/** Split a whole config file into non-empty lines, collecting syntax errors. */
export function tokenizeText(
  text: string | Uint8Array,
): { lines: ConfLine[]; errors: ConfError[] } {
  const lines: ConfLine[] = [];
  const errors: ConfError[] = [];
  const sink: TokenSink = {
    line(words, lineNo) {
      if (words.length > 0) lines.push({ lineNo, words });
    },
    error(message, lineNo) {
      errors.push({ lineNo, message });
    },
  };
  const t = new Tokenizer();
  t.feed(typeof text === "string" ? new TextEncoder().encode(text) : text, sink);
  t.end(sink);
  return { lines, errors };
}

/** Split one protocol line (without its LF) into words; null on a syntax error. */
export function splitLine(line: string): string[] | null {
  const result: { words: string[] | null } = { words: null };
  const t = new Tokenizer();
  const sink: TokenSink = {
    line(words) {
      result.words ??= words;
    },
    error() {},
  };
  t.feed(line, sink);
  t.feed("\n", sink);
  return result.words;
}
