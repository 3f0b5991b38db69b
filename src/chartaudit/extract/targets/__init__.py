"""Target matching: ICD-10-CM generated terms, the curated lexicon and abbreviations.

``matcher.py`` is the spaCy component; ``build.py`` generates
``models/icd10cm/terms-2026.json.gz`` (build time only: ``python -m
chartaudit.extract.targets.build``); ``normalize.py`` rewrites descriptions into
phrases and reads derived word forms. The term types, the trie and the hits the
matcher sets are in :mod:`chartaudit.extract.terms`; the curated term files in
:mod:`chartaudit.extract.lexicon`.
"""
