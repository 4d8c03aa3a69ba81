"""Output of ``audit`` and ``check-key``: human text and versioned JSON.

A found key comes from a wordlist and may hold control characters: it is shown as a
Python string literal (escapes visible) and as hex, never written raw to a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cookietool.audit import AuditResult
from cookietool.escape import for_humans
from cookietool.hashcat import HashcatExport
from cookietool.keycheck import Assignment, KeyVerdict
from cookietool.render import document
from cookietool.wordlists import KnownKey


def key_text(key: bytes) -> str | None:
    """The key as text when it is UTF-8, else None (then only hex describes it)."""
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return None


def audit_document(result: AuditResult, origin: KnownKey | None, cookies: int) -> dict[str, Any]:
    """The ``audit --json`` document."""
    key = result.key
    return document(
        "audit",
        found=key is not None,
        key=None if key is None else key_text(key),
        key_hex=None if key is None else key.hex(),
        source=result.source,
        origin=None if origin is None else {"origin": origin.origin, "source": origin.source},
        cookies_matched=list(result.cookies),
        cookies=cookies,
        tried=result.tried,
        seconds=round(result.seconds, 3),
        rate=round(result.rate),
        jobs=result.jobs,
    )


def audit_text(result: AuditResult, origin: KnownKey | None, cookies: int) -> str:
    """One paragraph for people: the key and where it came from, or that none was found."""
    pace = (
        f"tried {result.tried:,} candidates in {result.seconds:.2f} s "
        f"({result.rate:,.0f}/s, {result.jobs} job{'s' if result.jobs != 1 else ''})"
    )
    if result.key is None:
        return f"No key found: {pace}. The key is none of the candidates tried."
    text = key_text(result.key)
    # repr() escapes every unprintable character, as for_humans does.
    shown = repr(text) if text is not None else "(not UTF-8)"
    which = ", ".join(str(i + 1) for i in result.cookies)
    lines = [
        f"WEAK KEY FOUND: {shown}, hex {result.key.hex()}",
        f"  signs cookie {which} of {cookies}; found in the {result.source}",
    ]
    if origin is not None:
        lines.append(f"  publicly known: {origin.origin} ({origin.source})")
    lines.append(f"  {pace}")
    lines.append("  Anyone with this key can forge sessions: replace it, with cookietool genkey.")
    return "\n".join(lines)


def _hash_file(mode: int) -> str:
    return "cookie.hash" if mode == 29100 else f"mode{mode}.hash"


def hashcat_text(exports: Sequence[HashcatExport]) -> tuple[list[str], list[str]]:
    """The lines for hashcat (stdout) and, for people, what cannot go and what to run."""
    from cookietool.hashcat import INSTEAD, command

    lines, notes = [], []
    modes: list[int] = []
    for number, export in enumerate(exports, start=1):
        if export.line is not None and export.mode is not None:
            lines.append(export.line)
            modes.append(export.mode)
        else:
            reasons = "; ".join(export.reasons)
            where = "hashcat" if export.mode is None else f"hashcat mode {export.mode}"
            notes.append(f"cookie {number} is outside {where}: {reasons}; {INSTEAD}")
    for mode in dict.fromkeys(modes):
        which = "the lines above" if len(set(modes)) == 1 else f"the mode-{mode} lines above"
        notes.append(
            f"save {which} to {_hash_file(mode)}, then: {command(_hash_file(mode), mode=mode)}"
        )
    return lines, notes


def hashcat_document(exports: Sequence[HashcatExport]) -> dict[str, Any]:
    """The ``audit --hashcat --json`` document."""
    from cookietool.hashcat import command

    return document(
        "audit-hashcat",
        cookies=[
            {
                "cookie": n,
                "format": e.format,
                "mode": e.mode,
                "line": e.line,
                "reasons": list(e.reasons),
                "hashcat_command": None
                if e.line is None or e.mode is None
                else command(_hash_file(e.mode), mode=e.mode),
            }
            for n, e in enumerate(exports, start=1)
        ],
    )


def verdict_fields(verdict: KeyVerdict) -> dict[str, Any]:
    """The JSON fields of one key's verdict; the key itself is never among them."""
    known = verdict.known
    return {
        "fingerprint": verdict.fingerprint,
        "bytes": verdict.length,
        "entropy_bits": verdict.entropy_bits,
        "weak": verdict.weak,
        "known": None if known is None else {"origin": known.origin, "source": known.source},
        "placeholder": verdict.placeholder,
        "dictionary": verdict.dictionary,
        "reasons": list(verdict.reasons),
    }


def verdict_text(verdict: KeyVerdict, where: str = "Key") -> str:
    """A verdict for people: strong, or weak with every reason."""
    head = f"{for_humans(where)} {verdict.fingerprint}"
    if not verdict.weak:
        return f"{head}: strong ({verdict.length} bytes, about {verdict.entropy_bits} bits)"
    reasons = [f"  - {for_humans(reason)}" for reason in verdict.reasons]
    return "\n".join([f"{head}: WEAK", *reasons])


def keys_document(verdicts: Sequence[tuple[str, KeyVerdict]]) -> dict[str, Any]:
    """The ``check-key --dotenv --json`` document: each key by where it stands, not by value."""
    return document(
        "check-key",
        keys=[{"source": label, **verdict_fields(verdict)} for label, verdict in verdicts],
        weak=sum(1 for _, verdict in verdicts if verdict.weak),
        skipped=[],
    )


def key_document(verdict: KeyVerdict) -> dict[str, Any]:
    """The ``check-key --json`` document for one key given directly."""
    return document("check-key", keys=[verdict_fields(verdict)], weak=int(verdict.weak), skipped=[])


def scan_document(
    found: Sequence[tuple[Assignment, KeyVerdict]], skipped: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The ``check-key --scan --json`` document."""
    return document(
        "check-key",
        keys=[
            {
                "path": a.path,
                "line": a.line,
                "name": a.name,
                "fallback": a.fallback,
                **verdict_fields(v),
            }
            for a, v in found
        ],
        weak=sum(1 for _, v in found if v.weak),
        skipped=[{"path": path, "reason": reason} for path, reason in skipped],
    )
