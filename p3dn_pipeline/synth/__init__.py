"""Synthetic exports of DKI Jakarta's procurement, budget and UMKM-mentoring sources.

``p3dn-synth`` (see ``cli``) writes what the pipeline's landing folder receives in real life:
LKPP e-katalog, SiRUP, SPSE and Bela JSON/CSV, the BPKD APBD realisation export, Dinas
KPKP's quarterly rosters, and the spreadsheets of the other places UMKM sell domestic
products (Dinas PPKUKM business matching, BPPBJ e-Order, e-commerce partner reports),
deterministic for a given seed and scale. Modules by source: ``sirup``, ``ekatalog``,
``katalog``, ``spse`` and ``bela`` (LKPP; ``bela`` also writes RUP-MasterSatker), ``apbd``,
``kpkp``, ``bisnis_matching``, ``eorder``, ``ecommerce``; shared: ``organisations`` (the
SKPD list), ``nomenklatur`` (kode rekening and package kinds), ``jakpreneur`` (the UMKM
pool the last three draw from), ``geography``, ``identifiers``, ``people``, ``formats``,
``writers``; ``generate`` runs them all.
"""
