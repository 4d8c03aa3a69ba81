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
        shard=None
        if result.shard is None
        else {
            "index": result.shard.index + 1,
            "count": result.shard.count,
            "rule": f"line positions p of the candidate stream with p % {result.shard.count} "
            f"== {result.shard.index} (p from 0, every source in order, empty lines counted)",
            "lines_read": result.lines_read,
            "tried": result.tried,
            "complete": result.key is None,
        },
    )


def audit_text(result: AuditResult, origin: KnownKey | None, cookies: int) -> str:
    """One paragraph for people: the key and where it came from, or that none was found."""
    pace = (
        f"tried {result.tried:,} candidates in {result.seconds:.2f} s "
        f"({result.rate:,.0f}/s, {result.jobs} job{'s' if result.jobs != 1 else ''})"
    )
    if result.shard is not None:
        pace += (
            f", shard {result.shard}: every {result.shard.count}th of "
            f"{result.lines_read:,} lines read"
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


def _version_text(version: tuple[int, int, int] | None) -> str:
    return (
        "the newest hashcat release"
        if version is None
        else "hashcat " + ".".join(map(str, version))
    )


def hashcat_text(
    exports: Sequence[HashcatExport], version: tuple[int, int, int] | None, installed: bool
) -> tuple[list[str], list[str]]:
    """The lines for hashcat (stdout) and, for people, which versions take them, what
    cannot go and what to run instead."""
    from cookietool.hashcat import INSTEAD, command

    lines, notes = [], []
    modes: list[int] = []
    judged = _version_text(version) + (" (installed)" if installed else "")
    for number, export in enumerate(exports, start=1):
        judgement = export.judge(version)
        if export.line is None or export.mode is None:
            where = "hashcat" if export.mode is None else f"hashcat mode {export.mode}"
            notes.append(f"cookie {number} is outside {where}: {judgement.reason}; {INSTEAD}")
            continue
        fits = [name for name, ok in export.releases() if ok]
        not_fits = [name for name, ok in export.releases() if not ok]
        spread = ""
        if export.mode == 29100:
            spread = f" (fits: {', '.join(fits) or 'no release'}"
            spread += f"; too long for: {', '.join(not_fits)})" if not_fits else ")"
        if judgement.ok:
            lines.append(export.line)
            modes.append(export.mode)
            notes.append(f"cookie {number}: {judged} takes it in mode {export.mode}{spread}")
        else:
            notes.append(
                f"cookie {number}: {judged} refuses it: {judgement.reason}{spread}; {INSTEAD}"
            )
    for mode in dict.fromkeys(modes):
        which = "the lines above" if len(set(modes)) == 1 else f"the mode-{mode} lines above"
        hash_file = _hash_file(mode)
        notes.append(f"save {which} to {hash_file}, then: {command(hash_file, mode=mode)}")
    return lines, notes


def hashcat_document(
    exports: Sequence[HashcatExport], version: tuple[int, int, int] | None, installed: bool
) -> dict[str, Any]:
    """The ``audit --hashcat --json`` document."""
    from cookietool.hashcat import command

    cookies = []
    for number, export in enumerate(exports, start=1):
        judgement = export.judge(version)
        cookies.append(
            {
                "cookie": number,
                "format": export.format,
                "mode": export.mode,
                "line": export.line if judgement.ok else None,
                "ok": judgement.ok,
                "reasons": [] if judgement.ok else [judgement.reason],
                "payload_chars": export.payload_chars,
                "releases": dict(export.releases()) if export.mode == 29100 else None,
                "hashcat_command": command(_hash_file(export.mode), mode=export.mode)
                if judgement.ok and export.mode is not None
                else None,
            }
        )
    return document(
        "audit-hashcat",
        hashcat_version=None if version is None else ".".join(map(str, version)),
        hashcat_installed=installed,
        cookies=cookies,
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
