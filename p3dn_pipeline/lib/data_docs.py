"""Great Expectations Data Docs of the staging suites and their kept validation results,
built offline into ``<warehouse dir>/data_docs/`` by GX's own site builder.

The suites and validation results come from the files :mod:`p3dn_pipeline.lib.gx_results`
keeps (``<warehouse dir>/gx/``); an ephemeral GX context with in-memory stores is filled from
them and its ``local_site`` (a ``SiteBuilder`` writing to the folder) rendered. The latest
``VALIDATIONS_PER_TABLE`` results of each table are rendered.

GX's templates load bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from CDNs. The
pages must open where there is no network (an office share, a laptop on the road), and no
installed package carries those files, so every remote ``<script src>``/``<link href>`` is
removed (GX's logo image points at its local copy) and one local script, ``static/p3dn/offline.js``, stands in for the little of jQuery
and bootstrap-table the pages call: it fills the index's tables (GX passes their rows as data
to ``bootstrapTable``) and makes their rows links. Bootstrap's stylesheet is the one thing
of those that shapes the pages (GX's layout is its grid): a copy of the version GX loads,
4.3.1, ships with the package (``data_docs_static/``) and is linked from every page, before
GX's own stylesheet (``static/styles/data_docs_default_styles.css``), which stays.
"""

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

VALIDATIONS_PER_TABLE = 10
# Bootstrap 4.3.1's stylesheet (MIT; data_docs_static/README.md), the version GX's templates
# load from a CDN: shipped, so the offline pages keep GX's layout (its grid and tables).
BOOTSTRAP_CSS = Path(__file__).resolve().parents[1] / "data_docs_static" / "bootstrap-4.3.1.min.css"
SITE_NAME = "local_site"
_REMOTE_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)
_REMOTE_LINK = re.compile(r'<link\b[^>]*\bhref="https?://[^"]*"[^>]*/?>\s*', re.IGNORECASE)
_REMOTE_IMAGE = re.compile(r'(<img\b[^>]*\bsrc=")(https?://[^"]*)(")', re.IGNORECASE)
_STATIC_LINK = re.compile(r'\b(href|src)="((?:\.\./)*)static/([^"]+)"')
_RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"

OFFLINE_JS = r"""// p3dn: stands in for the CDN scripts GX's Data Docs load (jQuery, bootstrap-table), so
// the pages work offline. Only what the pages call: $(fn), $(document).ready(fn),
// $(selector).bootstrapTable({columns, data}) (rendered as a plain table whose rows link to
// their page), no-op event binding, and bootstrap's collapse toggles and tabs.
(function () {
  function Wrapped(nodes) { this.nodes = nodes; }
  Wrapped.prototype.ready = function (fn) { onReady(fn); return this; };
  Wrapped.prototype.on = function () { return this; };
  Wrapped.prototype.click = function () { return this; };
  Wrapped.prototype.bootstrapTable = function (options) {
    if (typeof options !== "object" || options === null) { return this; }
    this.nodes.forEach(function (table) { renderTable(table, options); });
    return this;
  };
  function onReady(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); }
    else { fn(); }
  }
  function renderTable(table, options) {
    var columns = (options.columns || []).filter(function (c) { return c.visible !== false && c.visible !== "false"; });
    var head = "<thead><tr>" + columns.map(function (c) { return "<th>" + (c.title || "") + "</th>"; }).join("") + "</tr></thead>";
    var rows = (options.data || []).map(function (row) {
      var cells = columns.map(function (c) {
        var value = row[c.field] === undefined ? "" : String(row[c.field]);
        if (row._table_row_link_path) {
          return '<td><a class="p3dn-row-link" href="' + row._table_row_link_path + '">' + value + "</a></td>";
        }
        return "<td>" + value + "</td>";
      }).join("");
      return "<tr>" + cells + "</tr>";
    }).join("");
    table.innerHTML = head + "<tbody>" + rows + "</tbody>";
    table.setAttribute("data-p3dn-rendered", String((options.data || []).length));
  }
  function $(target) {
    if (typeof target === "function") { onReady(target); return new Wrapped([]); }
    if (typeof target === "string") { return new Wrapped(Array.prototype.slice.call(document.querySelectorAll(target))); }
    return new Wrapped(target ? [target] : []);
  }
  $.fn = Wrapped.prototype;
  window.$ = window.jQuery = $;
  // Bootstrap's collapse ("Show more info..."): bootstrap's stylesheet hides a .collapse
  // until it has .show, which bootstrap's script would add on a click of its toggle.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest('[data-toggle="collapse"]') : null;
    if (!toggle) { return; }
    var selector = toggle.getAttribute("data-target") || toggle.getAttribute("href");
    var target = selector && selector.charAt(0) === "#" ? document.getElementById(selector.slice(1)) : null;
    if (!target) { return; }
    event.preventDefault();
    var shown = target.classList.toggle("show");
    toggle.setAttribute("aria-expanded", shown ? "true" : "false");
  });
  // Bootstrap's tabs (the index's "Validation Results" and "Expectation Suites"): only the
  // active pane is shown.
  document.addEventListener("click", function (event) {
    var tab = event.target.closest ? event.target.closest('[data-toggle="tab"]') : null;
    if (!tab) { return; }
    event.preventDefault();
    var list = tab.closest('[role="tablist"]') || document;
    Array.prototype.forEach.call(list.querySelectorAll('[data-toggle="tab"]'), function (other) {
      var pane = document.getElementById((other.getAttribute("href") || "").slice(1));
      var active = other === tab;
      other.classList.toggle("active", active);
      other.setAttribute("aria-selected", active ? "true" : "false");
      if (pane) { pane.classList.toggle("active", active); pane.classList.toggle("show", active); }
    });
  });
})();
"""

# Font Awesome's status icons, which GX loads from a CDN, as plain characters.
OFFLINE_CSS = """/* p3dn: GX's status icons without Font Awesome (a CDN), so the pages work offline. */
.fas { font-style: normal; }
.fas.fa-check-circle::before { content: "\\2714"; }
.fas.fa-times::before { content: "\\2716"; }
.fas.fa-exclamation-triangle::before { content: "\\26A0"; }
.fas.fa-question-circle::before { content: "?"; }
.fas.fa-comment::before { content: "\\2026"; }
"""


def site_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "data_docs"


def run_name(kept: Path) -> str:
    """The GX run name of a kept validation result: its file name (a UTC time)."""
    return kept.stem


def run_time(kept: Path) -> dt.datetime:
    return dt.datetime.strptime(kept.stem, "%Y%m%dT%H%M%S_%fZ").replace(tzinfo=dt.UTC)


def validation_page(warehouse_dir: Path, table_name: str, kept: Path) -> Path:
    """Where GX's site builder renders the kept validation result ``kept`` of ``table_name``
    (suite named after the table, batch identifier the table)."""
    return (site_dir(warehouse_dir) / "validations" / Path(*table_name.split("."))
            / run_name(kept) / run_time(kept).strftime(_RUN_TIME_FORMAT) / f"{table_name}.html")


def build_data_docs(warehouse_dir: Path) -> Path:
    """Render the kept suites and validation results; returns the site's index.html."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    gx_root = warehouse_dir / "gx"
    out = site_dir(warehouse_dir)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={SITE_NAME: {
            "class_name": "SiteBuilder", "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(out)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}}})
    context = gx.get_context(project_config=config, mode="ephemeral")
    for suite_file in sorted((gx_root / "expectations").glob("*.json")):
        context.suites.add(gx.ExpectationSuite(**json.loads(suite_file.read_text(encoding="utf-8"))))
    for table_dir in sorted((gx_root / "validations").glob("*")):
        for kept in sorted(table_dir.glob("*.json"))[-VALIDATIONS_PER_TABLE:]:
            result = ExpectationSuiteValidationResultSchema().load(
                json.loads(kept.read_text(encoding="utf-8")))
            run_id = RunIdentifier(run_name=run_name(kept), run_time=run_time(kept))
            result.meta = {**(result.meta or {}), "run_id": run_id}  # shown on the page
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=run_id, batch_identifier=table_dir.name)
            context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    make_offline(out)
    return out / "index.html"


def make_offline(site: Path) -> None:
    """Strip every remote script and stylesheet from the site's pages; load offline.js and
    the shipped copy of bootstrap's stylesheet."""
    script = site / "static" / "p3dn" / "offline.js"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(OFFLINE_JS, encoding="utf-8")
    stylesheet = site / "static" / "p3dn" / BOOTSTRAP_CSS.name
    shutil.copyfile(BOOTSTRAP_CSS, stylesheet)
    icons = site / "static" / "p3dn" / "offline.css"
    icons.write_text(OFFLINE_CSS, encoding="utf-8")
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        local = os.path.relpath(script, page.parent).replace(os.sep, "/")
        local_css = os.path.relpath(stylesheet, page.parent).replace(os.sep, "/")
        local_icons = os.path.relpath(icons, page.parent).replace(os.sep, "/")
        html = _REMOTE_LINK.sub("", html)
        html = _REMOTE_SCRIPT.sub("", html)
        # GX writes some pages' links to its static files one folder too shallow (a missing
        # favicon): every one is pointed at the site's static folder from this page.
        static = os.path.relpath(site / "static", page.parent).replace(os.sep, "/")
        html = _STATIC_LINK.sub(lambda m: f'{m.group(1)}="{static}/{m.group(3)}"', html)
        html = _REMOTE_IMAGE.sub(lambda m: m.group(1) + _local_image(site, page, m.group(2)) + m.group(3), html)
        if 'src="' + local not in html:  # first in <head>: the pages' own scripts call $,
            # and GX's own stylesheets, after bootstrap's, override it as on its hosted pages
            html = re.sub(r"<head>", f'<head>\n<script src="{local}"></script>\n'
                                     f'<link rel="stylesheet" href="{local_css}">\n'
                                     f'<link rel="stylesheet" href="{local_icons}">', html,
                          count=1, flags=re.IGNORECASE)
        page.write_text(html, encoding="utf-8")


def _local_image(site: Path, page: Path, url: str) -> str:
    """GX's logo is also among the site's static images: use that copy; anything else is
    dropped (an empty src fetches nothing)."""
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    local = site / "static" / "images" / name
    if name and local.is_file():
        return os.path.relpath(local, page.parent).replace(os.sep, "/")
    return ""
