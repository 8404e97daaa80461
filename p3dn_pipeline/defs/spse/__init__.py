"""SPSE exports of LKPP (tender, non-tender, e-kontrak, pencatatan): see README.md."""
