"""What the viewer keeps per process and per session: the checker, the tables, policies.

The pipeline is loaded once per server process (``st.cache_resource``) and shared
with the batch engine's per-process cache, so the check page and a batch audit use
the same :class:`~chartaudit.checker.Checker`.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.extract.lookup import TermLookup
    from chartaudit.knowledge import Icd10cm, PolicySet

logger = logging.getLogger(__name__)

#: Largest policy CSV accepted (policies are small tables, not notes).
MAX_POLICY_BYTES = 5_000_000


@st.cache_resource(show_spinner="Loading the clinical pipeline…")
def get_checker() -> "Checker":
    """The process's one checker (the batch engine's cached default checker)."""
    from chartaudit.checker import cached_checker

    return cached_checker()  # the library's per-process checker, which audit_frame uses too


@st.cache_resource(show_spinner="Loading ICD-10-CM…")
def get_knowledge() -> "Icd10cm":
    """The ICD-10-CM tables (loaded once per process)."""
    from chartaudit.knowledge import Icd10cm

    return Icd10cm.load()


@st.cache_resource(show_spinner="Loading the code lookup…")
def get_term_lookup() -> "TermLookup":
    """The code lookup by the extractor's terms (built once per process; no pipeline)."""
    from chartaudit.extract.lookup import TermLookup

    return TermLookup.load()


class PolicyUploadError(ValueError):
    """A policy upload that cannot be used; the message is one line naming the upload."""


def policy_file(name: str, data: bytes) -> tuple[Path, "PolicySet"]:
    """Store an uploaded policy CSV under a name derived from its content, and read it.

    Policies hold no patient data. The same content always gets the same path, so the
    batch engine's per-configuration checker cache is reused across runs.
    """
    from chartaudit.knowledge import load_policies

    if len(data) > MAX_POLICY_BYTES:
        raise PolicyUploadError(f"{name}: {len(data):,} bytes is over the {MAX_POLICY_BYTES:,}-byte limit for a policy")
    digest = hashlib.sha256(data).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "chartaudit-policies"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.csv"
    if not path.exists():
        path.write_bytes(data)
    try:
        return path, load_policies([path])
    except ValueError as error:
        message = str(error).replace(str(path), name)
        raise PolicyUploadError(message) from None
    except OSError as error:
        raise PolicyUploadError(f"{name}: cannot be read ({type(error).__name__})") from None


def keep_values(keys: tuple[str, ...]) -> None:
    """Restore widget values saved by :func:`save_values` (Streamlit drops them on a page switch)."""
    for key in keys:
        saved = f"_kept_{key}"
        if key not in st.session_state and saved in st.session_state:
            st.session_state[key] = st.session_state[saved]


def save_values(keys: tuple[str, ...]) -> None:
    """Save the current widget values so that :func:`keep_values` can restore them later."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"_kept_{key}"] = st.session_state[key]
