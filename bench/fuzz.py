"""Long fuzz run of the answer parser and the bank loader; prints cases tried and crashes.

A crash is any exception other than the documented one (AnswerParseError for an answer, BankError for a
bank file), or a case slower than one second. Inputs are drawn from a fixed seed, so a crash reproduces.

Run: .venv/bin/python bench/fuzz.py [--answers 100000] [--banks 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quizzer.bank.loader import load_file
from quizzer.errors import AnswerParseError, BankError
from quizzer.grading.parse import clean_answer
from tests.bankfiles import bank_yaml, multi_item, numeric_item, single_item
from tests.test_hostile_answers import HOSTILE_ANSWERS, sample_questions

TOKENS = [
    "0",
    "1",
    "2",
    "7",
    "9",
    "10",
    "112",
    "0.25",
    "1e-3",
    "1e309",
    "-",
    "+",
    "*",
    "/",
    "^",
    "**",
    "(",
    ")",
    "[",
    "]",
    "%",
    ",",
    " ",
    "x",
    "×",
    "÷",
    "sqrt(",
    "log(",
    "exp(",
    "pi",
    "e",
    "√",
    "A",
    "b",
    "C",
    "对",
    "错",
    "true",
    "no",
    "，",
    "、",
    "．",
    "３",
    "\t",
    "\x1b[",
    "\x00",
    "[/bold]",
    "nan",
    "inf",
    "∞",
    "…",
    "😀",
]
SLOW = 1.0


def random_answer(rng: random.Random) -> str:
    """Token soup (reaches deep into the number grammar), raw unicode, or a mutated hostile answer."""
    roll = rng.random()
    if roll < 0.6:
        return "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 24)))
    if roll < 0.85:
        return "".join(
            chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x2FFF), rng.randint(0x3000, 0xFFFF)]))
            for _ in range(rng.randint(0, 30))
        )
    base = rng.choice(HOSTILE_ANSWERS)
    at = rng.randint(0, min(len(base), 200))
    return base[:at] + rng.choice(TOKENS) + base[at:][:200]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(text))
        kind = rng.random()
        if kind < 0.4:  # delete a slice
            text = text[:at] + text[at + rng.randint(1, 40) :]
        elif kind < 0.8:  # insert YAML-significant characters
            noise = "".join(
                rng.choice(":-[]{}&*!|>'\"#%@` \n\t0123456789\x00\x1f\x85\ufeff") for _ in range(rng.randint(1, 8))
            )
            text = text[:at] + noise + text[at:]
        else:  # duplicate a slice (duplicate keys, deeper nesting)
            text = text[:at] + text[at : at + rng.randint(1, 200)] + text[at:]
    return text


def fuzz_answers(count: int, rng: random.Random) -> tuple[int, list[str], float]:
    questions = sample_questions()
    crashes, slowest = [], 0.0
    for i in range(count):
        answer = random_answer(rng)
        question = questions[i % len(questions)]
        started = time.perf_counter()
        try:
            raw, _ = clean_answer(answer)
            question.grade(question.parse(raw))
        except AnswerParseError:
            pass
        except Exception:  # a crash is what we are looking for: record it and go on
            crashes.append(f"{question.ref.key} {answer[:60]!r}: {traceback.format_exc(limit=1).splitlines()[-1]}")
        elapsed = time.perf_counter() - started
        slowest = max(slowest, elapsed)
        if elapsed > SLOW:
            crashes.append(f"{question.ref.key} {answer[:60]!r}: took {elapsed:.2f} s")
    return count, crashes, slowest


def fuzz_banks(count: int, rng: random.Random) -> tuple[int, list[str], float]:
    valid = bank_yaml(single_item(), multi_item(), numeric_item())
    crashes, slowest = [], 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        for _ in range(count):
            text = mutate(valid, rng)
            path.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            try:
                load_file(path)
            except BankError:
                pass
            except Exception:
                crashes.append(f"{text[:60]!r}: {traceback.format_exc(limit=1).splitlines()[-1]}")
            slowest = max(slowest, time.perf_counter() - started)
    return count, crashes, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--banks", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failed = False
    for label, run, count in (("answers", fuzz_answers, args.answers), ("bank files", fuzz_banks, args.banks)):
        started = time.perf_counter()
        tried, crashes, slowest = run(count, rng)
        seconds = time.perf_counter() - started
        print(
            f"{label:10}  tried {tried:>8,}  crashes {len(crashes):>3}  slowest {slowest * 1000:7.1f} ms  "
            f"({tried / seconds:,.0f}/s, {seconds:.1f} s)"
        )
        for crash in crashes[:20]:
            print(f"    {crash}")
        failed |= bool(crashes)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
