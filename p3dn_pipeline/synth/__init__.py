"""Synthetic exports of DKI Jakarta's procurement, budget and UMKM-mentoring sources.

``p3dn-synth`` (see ``cli``) writes what the pipeline's landing folder receives in real life:
LKPP e-katalog, SiRUP, SPSE and Bela JSON/CSV, the BPKD APBD realisation export and Dinas
KPKP's quarterly rosters, deterministic for a given seed and scale. Modules by source:
``sirup``, ``ekatalog``, ``katalog``, ``spse`` and ``bela`` (LKPP; ``bela`` also writes
RUP-MasterSatker), ``apbd``, ``kpkp``; shared: ``organisations`` (the SKPD
list), ``nomenklatur`` (kode rekening and package kinds), ``geography``, ``identifiers``,
``people``, ``formats``, ``writers``; ``generate`` runs them all.
"""
