/**
 * An upper bound of the size of the program RE2 compiles a pattern to, in RE2 instructions,
 * computed from the pattern's syntax alone. Pure.
 *
 * Why: RE2 runs in time linear in the input, but the factor is the program: its NFA visits every
 * instruction reachable in a step, so matching costs about `instructions × input length`. The
 * `re2` package does not expose `Prog::size()`, so this walks the syntax and adds up what each
 * part can compile to:
 *
 * - an ASCII literal 1 (6 case-folded: `(?i)k` also matches U+212A), any other character 4 (12);
 * - a class: 1 per ASCII range (8 folded), 48 per range reaching beyond ASCII (the UTF-8 split
 *   of one range into byte-range chains), 2,000 per Unicode property (`\pL`, the largest RE2
 *   knows, compiles to about 1,570), plus 48 for the complement of a negated class;
 *   `.` is a negated class (`[^\n]`), so 49;
 * - a class at least 16 (whatever its ranges, each costs a DFA state's worth of work);
 * - a capture group 2 plus 4 per group of the pattern (each one the NFA passes copies every
 *   group's slots, so many groups cost as much as a large class), `|` 1, `*` `+` `?` 1 each; a counted repetition multiplies: `x{n,m}` is m
 *   copies of x (and `x{n,}` n + 1), and nested counts multiply again;
 * - 8 for the unanchored-search prefix RE2 adds.
 *
 * Measured against RE2 itself (the number of copies of a pattern that still fit under RE2's own
 * instruction limit), every weight is at or above what RE2 emits: `.` compiles to 12, `[^a]` to
 * 12, `\W` to 18, `(?i)k` to 5, `(a)` to 3. The bound is loose on purpose: it must never be below
 * the real program, since it stands in for it when bounding the work of a match.
 */

const ASCII_LITERAL = 1;
const FOLDED_ASCII_LITERAL = 6;
const WIDE_LITERAL = 4;
const FOLDED_WIDE_LITERAL = 12;
const ASCII_RANGE = 1;
const FOLDED_ASCII_RANGE = 8;
const WIDE_RANGE = 48;
const UNICODE_PROPERTY = 2_000;
const CAPTURE = 2;
const CAPTURE_PER_GROUP = 4;
/** Every class costs the DFA a state's worth of work at least, however few ranges it has. */
const CLASS_MINIMUM = 16;
const OPERATOR = 1;
const SEARCH_PREFIX = 8;

/** The ranges each Perl and POSIX class stands for in RE2 (ASCII-only there), as a count. */
const PERL_CLASS_RANGES: Readonly<Record<string, number>> = { d: 1, s: 4, w: 4 };
const POSIX_CLASS_RANGES: Readonly<Record<string, number>> = {
  alnum: 3,
  alpha: 2,
  ascii: 1,
  blank: 2,
  cntrl: 2,
  digit: 1,
  graph: 1,
  lower: 1,
  print: 1,
  punct: 4,
  space: 2,
  upper: 1,
  word: 4,
  xdigit: 3,
};

interface Flags {
  foldCase: boolean;
}

/** Thrown for syntax this walk does not know; the caller then refuses the pattern as unmeasurable. */
export class UnmeasurablePattern extends Error {}

class Walker {
  private at = 0;
  private readonly captureSize: number;

  constructor(private readonly pattern: string) {
    this.captureSize = CAPTURE + CAPTURE_PER_GROUP * captureGroups(pattern);
  }

  measure(): number {
    const size = this.alternation({ foldCase: false });
    if (this.at < this.pattern.length) throw new UnmeasurablePattern(`unexpected ${this.pattern[this.at]} at ${this.at}`);
    return size + SEARCH_PREFIX;
  }

  private peek(offset = 0): string | undefined {
    return this.pattern[this.at + offset];
  }

  /** `flags` is this group's own copy: a `(?i)` in one branch holds for the later branches too. */
  private alternation(outer: Flags): number {
    const flags = { ...outer };
    let size = this.concatenation(flags);
    while (this.peek() === '|') {
      this.at += 1;
      size += OPERATOR + this.concatenation(flags);
    }
    return size;
  }

  /** A sequence up to `|`, `)` or the end. A `(?i)` group changes the flags of the rest of it. */
  private concatenation(flags: Flags): number {
    let size = 0;
    for (let next = this.peek(); next !== undefined && next !== '|' && next !== ')'; next = this.peek()) {
      const atom = this.atom(flags);
      size += this.repetitions(atom);
    }
    return size;
  }

  private repetitions(atomSize: number): number {
    let size = atomSize;
    for (;;) {
      const next = this.peek();
      if (next === '*' || next === '+' || next === '?') {
        this.at += 1;
        size += OPERATOR;
      } else if (next === '{') {
        const bounds = this.countedBounds();
        if (bounds === undefined) return size;
        size = size * bounds + bounds;
      } else {
        return size;
      }
      if (this.peek() === '?') this.at += 1; // non-greedy: same program
    }
  }

  /** `{n}`, `{n,}` or `{n,m}` as the number of copies RE2 makes; undefined when `{` is a literal. */
  private countedBounds(): number | undefined {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.at));
    if (!match) return undefined;
    this.at += match[0].length;
    const min = Number(match[1]);
    if (match[2] === undefined) return Math.max(min, 1);
    if (match[3] === undefined || match[3] === '') return min + 1;
    return Math.max(Number(match[3]), 1);
  }

  private atom(flags: Flags): number {
    const char = this.peek() as string;
    switch (char) {
      case '(':
        return this.group(flags);
      case '[':
        return this.bracketClass(flags);
      case '\\':
        return this.escape(flags);
      case '.':
        this.at += 1;
        return ASCII_RANGE + WIDE_RANGE;
      case '^':
      case '$':
        this.at += 1;
        return OPERATOR;
      default: {
        const codePoint = this.pattern.codePointAt(this.at) as number;
        this.at += codePoint > 0xffff ? 2 : 1;
        return literal(codePoint, flags);
      }
    }
  }

  private group(flags: Flags): number {
    this.at += 1;
    let capture = true;
    let inner = flags;
    if (this.peek() === '?') {
      const named = /^\?P?<[A-Za-z0-9_]+>/.exec(this.pattern.slice(this.at));
      if (named) {
        this.at += named[0].length;
      } else {
        const setting = /^\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(this.pattern.slice(this.at));
        if (!setting) throw new UnmeasurablePattern(`unknown group syntax at ${this.at}`);
        this.at += setting[0].length;
        const folded = setting[1]?.includes('i') ? true : setting[2]?.includes('i') ? false : flags.foldCase;
        if (setting[3] === ')') {
          // `(?i)` alone: the flags hold until the end of the enclosing group.
          flags.foldCase = folded;
          return 0;
        }
        capture = false;
        inner = { foldCase: folded };
      }
    }
    const size = this.alternation(inner);
    if (this.peek() !== ')') throw new UnmeasurablePattern('unclosed group');
    this.at += 1;
    return size + (capture ? this.captureSize : 0);
  }

  /** `\d`, `\pL`, `\Q…\E`, `\x{…}`, an escaped literal, an empty-width assertion. */
  private escape(flags: Flags): number {
    const next = this.peek(1);
    if (next === undefined) throw new UnmeasurablePattern('trailing backslash');
    if (next === 'Q') {
      const end = this.pattern.indexOf('\\E', this.at + 2);
      const text = this.pattern.slice(this.at + 2, end === -1 ? undefined : end);
      this.at = end === -1 ? this.pattern.length : end + 2;
      let size = 0;
      for (const c of text) size += literal(c.codePointAt(0) as number, flags);
      return size;
    }
    const classSize = this.classEscape(flags);
    if (classSize !== undefined) return classSize;
    if ('bBAz'.includes(next)) {
      this.at += 2;
      return OPERATOR;
    }
    if (next === 'C') {
      this.at += 2;
      return CLASS_MINIMUM;
    }
    return literal(this.escapedCodePoint(), flags);
  }

  /** A class escape (`\d`, `\W`, `\pL`, `\P{Greek}`) as a class size, or undefined for any other escape. */
  private classEscape(flags: Flags): number | undefined {
    const next = this.peek(1) as string;
    const perl = PERL_CLASS_RANGES[next.toLowerCase()];
    if (perl !== undefined) {
      this.at += 2;
      return Math.max(CLASS_MINIMUM, rangesSize(perl, next !== next.toLowerCase(), flags));
    }
    if (next === 'p' || next === 'P') {
      const name = /^\\[pP](\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(this.pattern.slice(this.at));
      if (!name) throw new UnmeasurablePattern(`unknown Unicode class at ${this.at}`);
      this.at += name[0].length;
      return UNICODE_PROPERTY;
    }
    return undefined;
  }

  /** The character an escape such as `\n`, `\x41`, `\x{263a}`, `\101` or `\.` stands for. */
  private escapedCodePoint(): number {
    const rest = this.pattern.slice(this.at);
    const hex = /^\\x(\{([0-9A-Fa-f]+)\}|[0-9A-Fa-f]{2})/.exec(rest);
    if (hex) {
      this.at += hex[0].length;
      return Number.parseInt(hex[2] ?? hex[1] ?? '0', 16);
    }
    const octal = /^\\([0-7]{1,3})/.exec(rest);
    if (octal) {
      this.at += octal[0].length;
      return Number.parseInt(octal[1] ?? '0', 8);
    }
    const codePoint = rest.codePointAt(1) as number;
    this.at += codePoint > 0xffff ? 3 : 2;
    return codePoint;
  }

  /** `[…]`: the sum of its items, and the complement's extra range when negated. */
  private bracketClass(flags: Flags): number {
    this.at += 1;
    const negated = this.peek() === '^';
    if (negated) this.at += 1;
    let size = 0;
    let first = true;
    for (;;) {
      const next = this.peek();
      if (next === undefined) throw new UnmeasurablePattern('unclosed class');
      if (next === ']' && !first) break;
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.pattern.slice(this.at));
      if (posix) {
        this.at += posix[0].length;
        size += rangesSize(POSIX_CLASS_RANGES[posix[2] ?? ''] ?? 4, posix[1] === '^', flags);
        continue;
      }
      if (next === '\\') {
        const classSize = this.classEscape(flags);
        if (classSize !== undefined) {
          size += classSize;
          continue;
        }
      }
      const low = this.classCharacter();
      let high = low;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.at += 1;
        high = this.classCharacter();
      }
      size += rangeSize(high, flags);
    }
    this.at += 1;
    return Math.max(CLASS_MINIMUM, size + (negated ? WIDE_RANGE : 0));
  }

  private classCharacter(): number {
    if (this.peek() === '\\') return this.escapedCodePoint();
    const codePoint = this.pattern.codePointAt(this.at) as number;
    this.at += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }
}

/**
 * The capture groups, counted from the text: `(` not escaped, not in a class, and not `(?`
 * unless named. An overcount (a `(` inside `\Q…\E`) only makes the bound looser.
 */
function captureGroups(pattern: string): number {
  let groups = 0;
  let inClass = false;
  for (let at = 0; at < pattern.length; at += 1) {
    const char = pattern[at];
    if (char === '\\') at += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') {
      inClass = true;
      if (pattern[at + 1] === '^') at += 1;
      if (pattern[at + 1] === ']') at += 1;
    } else if (char === '(' && (pattern[at + 1] !== '?' || /^\(\?P?</.test(pattern.slice(at)))) groups += 1;
  }
  return groups;
}

function literal(codePoint: number, flags: Flags): number {
  const wide = codePoint > 0x7f;
  const letter = /\p{L}/u.test(String.fromCodePoint(codePoint));
  if (flags.foldCase && letter) return wide ? FOLDED_WIDE_LITERAL : FOLDED_ASCII_LITERAL;
  return wide ? WIDE_LITERAL : ASCII_LITERAL;
}

/** One range whose upper end is `high`: ASCII ranges are one byte range, others a UTF-8 chain. */
function rangeSize(high: number, flags: Flags): number {
  if (high > 0x7f) return flags.foldCase ? 2 * WIDE_RANGE : WIDE_RANGE;
  return flags.foldCase ? FOLDED_ASCII_RANGE : ASCII_RANGE;
}

/** `count` ASCII ranges, or their complement (which reaches beyond ASCII) when negated. */
function rangesSize(count: number, negated: boolean, flags: Flags): number {
  const ascii = count * (flags.foldCase ? FOLDED_ASCII_RANGE : ASCII_RANGE);
  return negated ? ascii + (flags.foldCase ? FOLDED_ASCII_RANGE : ASCII_RANGE) + WIDE_RANGE : ascii;
}

/**
 * The bound, for a pattern RE2 has already accepted (the walk trusts RE2's verdict on syntax).
 * Throws `UnmeasurablePattern` for syntax it does not know, which callers refuse.
 */
export function programSizeBound(pattern: string): number {
  return new Walker(pattern).measure();
}
