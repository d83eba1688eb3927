"""Build hook: the wheel carries compiled translation catalogs (`.mo`, git-ignored).

Everything else about the package is declared in pyproject.toml. `make` compiles the catalogs in
the checkout for development; a wheel built from a fresh clone (`pip install .`) has no `.mo`
files yet, so build_py compiles each `.po` into the build tree.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

# templates/, static/ and migrations/ stay at the top of the checkout and ship as these packages
# (see [tool.setuptools.package-dir] in pyproject.toml).
DATA_ROOTS = {
    "planner.templates": "templates",
    "planner.static": "static",
    "planner.migrations": "migrations",
}


def data_packages() -> list[str]:
    """Each folder under the data roots, named as a package (setuptools ships folders that way)."""
    names = []
    for package, root in DATA_ROOTS.items():
        folders = [p for p in Path(root).rglob("*") if p.is_dir() and p.name != "__pycache__"]
        names.append(package)
        names.extend(f"{package}.{'.'.join(p.relative_to(root).parts)}" for p in sorted(folders))
    return names


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's catalogs (`make`)
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path("planner/translations").glob("*/*/LC_MESSAGES/messages.po"):
            locale = po.parent.parent.name
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=locale)
            with target.open("wb") as out:
                write_mo(out, catalog)


setup(
    # Namespace packages too: the folders of catalogs and talking points are shipped as packages.
    packages=[
        *find_namespace_packages(include=["planner", "planner.*"], exclude=["*.__pycache__"]),
        *data_packages(),
    ],
    cmdclass={"build_py": BuildWithCatalogs},
)
