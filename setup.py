"""Put the graph's hand-edited sources and the query editor's built files into the wheel.

``kg serve`` run outside a checkout serves this bundle (see ``kg.project``): ontology/, data/
(with the source text), shapes/, queries/ and YASGUI's build files go to ``kg/bundle/``.
Editable installs use the checkout itself and get no copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PARTS = ("ontology", "data", "shapes", "queries")
YASGUI = Path("node_modules/@triply/yasgui/build")
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.LICENSE.txt")


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        bundle = Path(self.build_lib) / "kg" / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        for part in PARTS:
            shutil.copytree(HERE / part, bundle / part, ignore=shutil.ignore_patterns("README.md"))
        missing = [name for name in YASGUI_FILES if not (HERE / YASGUI / name).is_file()]
        if missing:
            raise SystemExit(f"{YASGUI}: {', '.join(missing)} missing: run 'npm ci --omit=dev' first")
        (bundle / YASGUI).mkdir(parents=True)
        for name in YASGUI_FILES:
            shutil.copy2(HERE / YASGUI / name, bundle / YASGUI / name)


setup(cmdclass={"build_py": BuildWithBundle})
