"""Quality rules for the APBD realisation staging table (see lkpp/checks.py for severities)."""

from p3dn_pipeline.lib.quality import Between, ExistsIn, MatchesRegex, Rule, Unique

LINE_UNIQUE = "skpd_rekening_month_unique"
KODE_REKENING_SIX_LEVELS = "kode_rekening_six_levels"
BULAN_IS_A_MONTH = "bulan_between_1_and_12"
REALISASI_NOT_NEGATIVE = "realisasi_not_negative"
SKPD_KNOWN_IN_STRUKTUR_ANGGARAN = "skpd_known_in_struktur_anggaran"

RULES = {
    "apbd_realisasi": [
        Rule(LINE_UNIQUE, Unique(("kd_klpd", "tahun_anggaran", "kode_skpd", "kode_rekening",
                                  "bulan")),
             "ERROR", "One line per SKPD, account and month."),
        Rule(KODE_REKENING_SIX_LEVELS,
             MatchesRegex("kode_rekening", r"^[0-9]+(\.[0-9]+){5}$"), "ERROR",
             "Only six-level detail accounts are summed (Permendagri 90/2019)."),
        Rule(BULAN_IS_A_MONTH, Between("bulan", min_value=1, max_value=12), "ERROR",
             "Month 1 to 12."),
        # Negative realisation exists (refunds, corrections), so it is shown, not blocked.
        Rule(REALISASI_NOT_NEGATIVE, Between("realisasi_rp", min_value=0), "WARN",
             "Negative realisation is a refund or correction: worth a look."),
        Rule(SKPD_KNOWN_IN_STRUKTUR_ANGGARAN,
             ExistsIn("kode_skpd", "staging.sirup_struktur_anggaran", "kd_satker_str"), "WARN",
             "Every SKPD in the APBD export has a SiRUP budget structure."),
    ],
}
