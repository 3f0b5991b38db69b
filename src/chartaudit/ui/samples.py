"""The sample encounter: the seed case (chest pain documented, right shoulder pain billed).

It is ``enc-001`` of ``data/samples/encounters.jsonl``, a synthetic note with no real
patient in it, copied here so the viewer needs no data file.
"""

from __future__ import annotations

SAMPLE_NOTE = (
    "CC: chest pain x 2 days\n"
    "HPI: 54 y/o M presents c/o intermittent left-sided chest pain for 2 days. Dull, 4/10, non-radiating, comes on at rest and lasts several minutes. No exertional component. Denies SOB, diaphoresis, nausea. No recent URI or trauma.\n"
    "PMH: none significant.\n"
    "Meds: none. Allergies: NKDA.\n"
    "SH: Nonsmoker, occasional EtOH.\n"
    "Vitals: BP 132/84, HR 78, RR 14, SpO2 98% RA, T 98.4F.\n"
    "PE: Gen NAD. CV RRR, no murmurs. Chest wall non-tender to palpation. Lungs CTA bilaterally.\n"
    "ECG: NSR 76, no ST/T changes.\n"
    "Assessment: Chest pain, ECG without ischemic changes.\n"
    "Plan: Troponin and CMP today; exercise stress test referral. ED precautions reviewed."
)
SAMPLE_DX = "R07.9, M25.511"
SAMPLE_PX = ""
SAMPLE_SETTING = "outpatient"
SAMPLE_LABEL = "Load the sample encounter (chest pain documented, right shoulder pain billed)"
