"""Redaction throughput (MB/s): tokenward.redact beside Python ``re`` with equivalent patterns.

    cd python && python3 -P bench/bench_redact.py

Both sides replace each secret with ``[REDACTED:<kind>:<fingerprint>]`` (SHA-256 based), on the
same clean and secret-dense text (tests/redaction/bench_lines.json), as one 4 MiB string and
line by line (the logging case).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

import tokenward

LINES = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "redaction" / "bench_lines.json").read_text()
)

# The baseline: the scrubber's rules as one alternation of Python regular expressions.
KEY_NAMES = (
    r"[\w.-]*?(?:token|secret|password|passwd|pwd|passphrase|api[_-]?key|access[_-]?key"
    r"|private[_-]?key|secret[_-]?key|session[_-]?id|signature|credentials?)"
)
PATTERNS = [
    # (kind, prefix kept, secret): the secret part is replaced, the prefix kept.
    ("jwt", "", r"\beyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?"),
    ("private_key", "", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    ("github", "", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b"),
    ("stripe", "", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b"),
    ("slack", "", r"\bxox[abposre]-[A-Za-z0-9-]{10,}"),
    ("aws_access_key_id", "", r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b"),
    ("google_api_key", "", r"\bAIza[A-Za-z0-9_-]{35}\b"),
    ("google_oauth", "", r"\bya29\.[A-Za-z0-9_.-]{20,}"),
    ("api_key", "", r"\b[a-z][a-z0-9]{1,15}(?:_[a-z0-9]{1,16})?_(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{20,}\b"),
    ("authorization", r"authorization[\"']?\s*[:=]\s*[\"']?(?:\w+\s+)?", r"[A-Za-z0-9._~+/=-]+"),
    ("bearer", r"\b(?:bearer|basic) ", r"[A-Za-z0-9._~+/=-]{8,}"),
    ("cookie", r"cookie: ", r"[^\r\n\"']+"),
    ("password", r"://[^/\s:@]*:", r"[^/\s@]+(?=@)"),
    ("secret", r"(?<![\w.-])" + KEY_NAMES + r"[\"']?\s*(?:=>|[:=])\s*[\"']?", r"[^\s&,;\"'<>)}\]]+"),
]
BASELINE = re.compile(
    "|".join(f"(?P<k{i}>{pre}(?P<s{i}>{sec}))" for i, (_, pre, sec) in enumerate(PATTERNS)),
    re.IGNORECASE,
)


def fingerprint(s: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()[:6]).decode()


def _replace(m: re.Match[str]) -> str:
    for i, (kind, _, _) in enumerate(PATTERNS):
        if m.group(f"k{i}") is not None:
            whole, secret = m.group(f"k{i}"), m.group(f"s{i}")
            keep = whole[: len(whole) - len(secret)] if whole.endswith(secret) else ""
            return f"{keep}[REDACTED:{kind}:{fingerprint(secret)}]"
    return m.group()


def _one(kind: str, pre: str, sec: str) -> re.Pattern[str]:
    return re.compile(f"(?P<pre>{pre})(?P<sec>{sec})", re.IGNORECASE)


SEPARATE = [(kind, _one(kind, pre, sec)) for kind, pre, sec in PATTERNS]


def baseline_alternation(text: str) -> str:
    """One pass with every rule in one alternation."""
    return BASELINE.sub(_replace, text)


def baseline_separate(text: str) -> str:
    """One pass per rule; lets `re` use each pattern's literal prefix (faster here)."""
    for kind, rx in SEPARATE:
        text = rx.sub(
            lambda m: f"{m.group('pre')}[REDACTED:{kind}:{fingerprint(m.group('sec'))}]", text
        )
    return text


baseline = baseline_separate


def mbps(fn, data, total_bytes: int, min_time: float = 1.0) -> float:
    runs, start = 0, time.perf_counter()
    while True:
        fn(data)
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return total_bytes * runs / elapsed / 1e6


def main() -> None:
    sample = "\n".join(LINES["clean"]) * 200
    alt = mbps(baseline_alternation, sample, len(sample), 0.5)
    sep = mbps(baseline_separate, sample, len(sample), 0.5)
    print(f"python re baseline on clean text: one alternation {alt:.1f} MB/s, "
          f"one pass per pattern {sep:.1f} MB/s (the faster is used below)")
    global baseline
    baseline = baseline_separate if sep >= alt else baseline_alternation
    print(f"{'text':<14}{'mode':<10}{'tokenward MB/s':>16}{'python re MB/s':>16}{'speedup':>9}")
    for name in ("clean", "dense"):
        lines = LINES[name]
        blob = ""
        while len(blob) < 4 << 20:
            blob += "\n".join(lines) + "\n"
        many = blob.splitlines()
        n = len(blob.encode())
        for mode, data, tw, py in (
            ("blob", blob, tokenward.redact, baseline),
            (
                "per-line",
                many,
                lambda ls: [tokenward.redact(line) for line in ls],
                lambda ls: [baseline(line) for line in ls],
            ),
        ):
            a = mbps(tw, data, n)
            b = mbps(py, data, n)
            print(f"{name:<14}{mode:<10}{a:>16.1f}{b:>16.1f}{a / b:>8.1f}x")


if __name__ == "__main__":
    main()
