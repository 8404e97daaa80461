"""The shipped synthetic sample: the only data the public demo key may hash.

Which files it is, is known from inside the package (``reference_data/demo_sample_files.csv``:
sha256, size and path of every file of ``data/landing``), never from the landing folder: a
``MANIFEST.json`` copied next to real exports proves nothing. ``make synth`` regenerates the
sample and this list together (``python -m p3dn_pipeline.demo_sample data/landing``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from p3dn_pipeline.lib import landing

SAMPLE_FILES = Path(__file__).resolve().parent / "reference_data" / "demo_sample_files.csv"
MANIFEST = "MANIFEST.json"


@lru_cache(maxsize=1)
def shipped_sample() -> dict[str, int]:
    """sha256 -> size in bytes of every file of the shipped sample."""
    with SAMPLE_FILES.open(newline="", encoding="utf-8") as handle:
        return {row["sha256"]: int(row["size_bytes"]) for row in csv.DictReader(handle)}


def files_outside_sample(landing_dir: Path) -> list[str]:
    """The landed files (as the pipeline would find them) that are not files of the shipped
    sample, by relative path. A file whose size no sample file has is not read at all, so a
    folder of large real exports is told apart at once."""
    sample = shipped_sample()
    sizes = set(sample.values())
    outside = []
    for landed in landing.discover(landing_dir):
        if landed.size_bytes not in sizes:
            outside.append(landed.relative_path)
            continue
        try:
            digest = landing.sha256_of(landed.path)
        except OSError:  # not a regular file: certainly not a file of the sample
            outside.append(landed.relative_path)
            continue
        if sample.get(digest) != landed.size_bytes:
            outside.append(landed.relative_path)
    return outside


def write_sample_files(sample_dir: Path, target: Path = SAMPLE_FILES) -> int:
    """Write the list of ``sample_dir``'s files (those its MANIFEST.json names, each checked
    against its sha256 there) into the package; returns how many."""
    manifest = json.loads((sample_dir / MANIFEST).read_text(encoding="utf-8"))
    rows = []
    for entry in manifest["files"]:
        data = (sample_dir / entry["path"]).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            raise ValueError(f"{entry['path']} has sha256 {digest}, not the {entry['sha256']} "
                             f"of {sample_dir / MANIFEST}: regenerate the sample")
        rows.append((digest, len(data), entry["path"]))
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("sha256", "size_bytes", "path"))
        writer.writerows(sorted(rows, key=lambda row: row[2]))
    shipped_sample.cache_clear()
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m p3dn_pipeline.demo_sample SAMPLE_FOLDER", file=sys.stderr)
        return 2
    count = write_sample_files(Path(args[0]))
    print(f"{count} files of the demo sample listed in {SAMPLE_FILES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
