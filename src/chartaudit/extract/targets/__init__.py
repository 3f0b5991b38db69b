"""Target matching: ICD-10-CM generated terms, the curated lexicon and abbreviations.

``build.py`` generates ``models/icd10cm/terms-2026.json.gz`` (build time only);
``matcher.py`` is the spaCy component; ``terms.py`` the term tables and trie;
``normalize.py`` the normalisation shared by both.

Usage::

    python -m chartaudit.extract.targets.build
"""
