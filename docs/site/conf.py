"""Sphinx configuration of the course website (``make site``; tools/build_site.py).

The sources are generated into build/site-src/ from the committed, executed notebooks
(never re-executed), course/CLAIMS.md, the grader's checks and the package's docstrings.
Everything the pages load is local: MathJax comes from the PyPI package
sphinx-mathjax-offline (MathJax 3.2.2, copied into _static/mathjax), the theme's fonts
and icons are vendored by pydata-sphinx-theme, and no widget JavaScript is added.
"""
import os
import sys

sys.path.insert(0, os.path.abspath("."))

project = "Optimization for Machine Learning"
author = "the course's authors"
copyright = "the course's authors, MIT licence"

extensions = [
    "myst_nb",                     # notebooks and MyST markdown (parses .md too)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",      # MathJax from the wheel, into _static/mathjax (no CDN)
]

# -- notebooks: shown as committed, never executed -------------------------------------------
nb_execution_mode = "off"
nb_ipywidgets_js = {}              # no require.js / widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 3
exclude_patterns = ["_build", "_downloads_src/**", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]   # a guide that skips a heading level (docs/instructors.md) still builds
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# -- API reference ------------------------------------------------------------------------------
autosummary_generate = False
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_typehints = "none"          # the signatures already show the defaults
add_module_names = False

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Optimization for Machine Learning"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_show_search_summary = False   # no fetch() of pages by search: it then works from file:// too
html_context = {"default_mode": "light"}   # pydata: no console error about an empty mode
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,    # its PDF print and .ipynb links are replaced by our own
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
}


# -- docstrings: reStructuredText where they are, plain text otherwise -----------------------------
# Many of coursekit's docstrings are plain text written for help() (|x|, a*b, hanging indents).
# Each docstring is test-parsed with docutils (Sphinx roles stubbed out); one that would not
# parse cleanly is shown as written, in a literal block, instead of failing the build (-W).
import io
import re

import docutils.core


def _parses_cleanly(lines: list[str]) -> bool:
    # no role or directive may reach docutils' lookup (Sphinx's needs a build environment)
    probe = re.sub(r"(:[\w:+-]+:)+`[^`]*`", "``x``", "\n".join(lines))
    probe = re.sub(r"(?<![`\w])`([^`]+)`(?!`)", "``x``", probe)
    probe = re.sub(r"(?m)^(\s*)\.\. [\w:-]+::.*$", r"\1.. directive", probe)
    stream = io.StringIO()
    try:
        docutils.core.publish_doctree(probe, settings_overrides={
            "report_level": 2, "halt_level": 5, "warning_stream": stream, "file_insertion_enabled": False,
            "raw_enabled": False, "_disable_config": True})
    except Exception:     # anything docutils cannot take is shown as written
        return False
    return not stream.getvalue()


def _plain_text_docstrings(app, what, name, obj, options, lines):
    if lines and not _parses_cleanly(lines):
        lines[:] = ["::", ""] + ["    " + line for line in lines] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_text_docstrings)
