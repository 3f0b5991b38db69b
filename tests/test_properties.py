"""Property tests: check never raises on arbitrary text and code strings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

code_text = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z][0-9][0-9A-Za-z]{0,5}(\.[0-9A-Za-z]{0,4})?", fullmatch=True),
    st.sampled_from(["R07.9", "M25.511", "E11", "S93.401", "I10", "", " ", "C00-C96", "Z85.3"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(max_size=400), dx=st.lists(code_text, max_size=4), px=st.lists(st.text(max_size=6), max_size=2),
       setting=st.one_of(st.none(), st.sampled_from(["outpatient", "inpatient", "INPATIENT", "", "x"])))
def test_check_never_raises(checker, note, dx, px, setting):
    result = checker.check(note, dx=dx, px=px, setting=setting)
    for finding in result.findings:
        for evidence in finding.evidence:
            assert 0 <= evidence.start <= evidence.end <= len(note.replace("\x00", " "))
    assert isinstance(result.to_dict(), dict)
