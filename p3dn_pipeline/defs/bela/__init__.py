"""Bela toko-daring exports of LKPP: see README.md."""
