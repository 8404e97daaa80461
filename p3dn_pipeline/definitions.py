"""The one Definitions object: everything the modules under defs/ define. Nothing is listed
here: a source folder, a mart SQL file or a new module under defs/ is picked up as it is.

Loading follows Dagster's autoloading of a defs folder (``load_from_defs_folder``) module by
module: a module's one ``Definitions`` object, or else the assets, checks, jobs, schedules
and sensors it defines at module level. That loader also builds a tree of components and
looks up every installed component library; with no YAML component under defs/ that adds
nothing to the definitions and costs about 0.15 s of every process start (a
`p3dn run`, a run worker, the webserver), so it is only used when a YAML component, or a
folder of modules without ``__init__.py``, exists.
``test_definitions.py`` checks that both loaders give the same definitions."""

import importlib
import pkgutil
import warnings
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    Definitions,
    PreviewWarning,
    load_definitions_from_module,
    load_from_defs_folder,
)

from p3dn_pipeline import defs as defs_package
from p3dn_pipeline.lib import dagster_storage, step_threads

DEFS_FOLDER = Path(defs_package.__file__).parent
# A folder holding one of these is a YAML component, which only Dagster's loader builds.
COMPONENT_FILES = ("defs.yaml", "component.yaml")


def module_definitions() -> Iterator[Definitions]:
    """Each module's definitions under defs/, packages' __init__ modules left out (Dagster's
    loader reads a package as a folder of modules)."""
    for found in pkgutil.walk_packages(defs_package.__path__, f"{defs_package.__name__}.",
                                       onerror=_import_failed):
        if found.ispkg:
            continue
        module = importlib.import_module(found.name)
        objects = [value for value in vars(module).values() if isinstance(value, Definitions)]
        if len(objects) > 1:
            raise ValueError(f"{found.name} defines {len(objects)} Definitions objects; "
                             "a module under defs/ defines at most one (as Dagster requires)")
        if objects:
            yield objects[0]
            continue
        with warnings.catch_warnings():
            # The function Dagster's own loader calls for such a module (marked preview).
            warnings.simplefilter("ignore", PreviewWarning)
            yield load_definitions_from_module(module)


def _import_failed(name: str) -> None:
    """walk_packages would skip a package whose import raises ImportError: a source folder
    with a broken import would silently be missing. Raised instead (called inside the
    ``except`` that caught it)."""
    raise  # the ImportError walk_packages is handling


def needs_dagsters_loader(folder: Path) -> bool:
    """Whether ``folder`` holds what only Dagster's loader reads: a YAML component, or Python
    modules in a subfolder without ``__init__.py`` (which walk_packages does not enter)."""
    for sub in (folder, *(p for p in folder.rglob("*") if p.is_dir())):
        if any((sub / name).exists() for name in COMPONENT_FILES):
            return True
        if sub != folder and not (sub / "__init__.py").exists() and any(sub.glob("*.py")):
            return True
    return False


def load_definitions() -> Definitions:
    if needs_dagsters_loader(DEFS_FOLDER):
        return load_from_defs_folder(path_within_project=DEFS_FOLDER)
    return Definitions.merge(*module_definitions())


# Every process that loads the definitions executes runs (p3dn run, run workers, tests): its
# Dagster event log keeps its SQLite connections open (lib/dagster_storage.py), and its runs
# run their ready steps side by side (lib/step_threads.py).
dagster_storage.install()
step_threads.install()
defs = load_definitions()
# Every asset, for materialize() in tests and scripts.
all_assets = list(defs.assets or [])
