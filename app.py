"""chartaudit viewer: paste a note and its codes, see what the note supports.

Run with ``make app`` (serves on http://127.0.0.1:8501). The UI lives in
``chartaudit.ui``; this file only starts it.
"""

from chartaudit.ui.app import main

main()
