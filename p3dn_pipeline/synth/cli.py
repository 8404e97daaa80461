"""``p3dn-synth``: write realistic synthetic DKI Jakarta exports into a landing folder.

    p3dn-synth --scale 0.02 --seed 20251 --out data/landing          # the committed sample
    p3dn-synth --scale 1 --seed 7 --out /tmp/dki --years 2023,2024,2025

Same seed, scale and years give byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.generate import MANIFEST, generate

DEFAULT_YEARS = (2024, 2025)


def _tahun_list(teks: str) -> tuple[int, ...]:
    try:
        tahun = tuple(sorted({int(t) for t in teks.split(",") if t.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated years like 2024,2025, got {teks!r}") from None
    if not tahun or not all(2000 <= t <= 2100 for t in tahun):
        raise argparse.ArgumentTypeError(f"years must be between 2000 and 2100, got {teks!r}")
    return tahun


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="p3dn-synth",
        description="Generate synthetic LKPP (SiRUP, e-katalog, SPSE, Bela), APBD, KPKP, "
                    "business-matching, e-Order and e-commerce exports for Pemprov DKI "
                    "Jakarta.",
    )
    parser.add_argument("--scale", type=float, default=0.02,
                        help="1 = about one real fiscal year of DKI (100k e-katalog orders, "
                             "150k SiRUP packages, 300k APBD lines), shared by the years "
                             "generated; rosters stay DKI-sized. Default 0.02, the committed "
                             "sample")
    parser.add_argument("--seed", type=int, default=20251, help="random seed (default 20251)")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (created if missing; files are overwritten)")
    tahun = parser.add_mutually_exclusive_group()
    tahun.add_argument("--years", type=_tahun_list, default=DEFAULT_YEARS,
                       help="fiscal years, comma-separated (default 2024,2025)")
    tahun.add_argument("--year", type=int, help="a single fiscal year (same as --years Y)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="parallel processes (output does not depend on it)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    years = (args.year,) if args.year is not None else args.years
    try:
        config = SynthConfig(seed=args.seed, scale=args.scale, years=years)
    except ValueError as err:
        print(f"p3dn-synth: {err}", file=sys.stderr)
        return 2
    mulai = time.perf_counter()
    manifest = generate(config, args.out, jobs=max(1, args.jobs))
    detik = time.perf_counter() - mulai
    total_baris = sum(f["rows"] for f in manifest["files"])
    ukuran = sum((args.out / f["path"]).stat().st_size for f in manifest["files"])
    for f in manifest["files"]:
        print(f"{f['rows']:>10,}  {f['path']}")
    print(f"{len(manifest['files'])} files, {total_baris:,} rows, {ukuran / 1e6:.1f} MB "
          f"in {detik:.1f} s; list in {args.out / MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
