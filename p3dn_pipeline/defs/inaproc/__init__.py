"""The INAPROC data API pull: LKPP's datasets fetched into the landing folder before the daily
run. Not a source folder (no source.py): its files are recognised as the LKPP, SPSE and Bela
datasets they are, by their fields, like any export dropped by hand."""
